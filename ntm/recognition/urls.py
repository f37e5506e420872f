from django.urls import path

from ntm.recognition import views

app_name = "recognition"
U = "units/<int:unit_id>/"
S = U + "surveys/<int:survey_id>/"
D = U + "dossiers/<int:dossier_id>/"
urlpatterns = [
    path(U + "recognition/", views.overview, name="overview"),
    path(U + "surveys/", views.survey_list, name="surveys"),
    path(S, views.survey_detail, name="survey"),
    path(S + "ballots/", views.ballots, name="ballots"),
    path(U + "dossiers/", views.dossier_create, name="dossier_create"),
    path(D, views.dossier_detail, name="dossier"),
    path(D + "advance/", views.dossier_advance, name="dossier_advance"),
]
