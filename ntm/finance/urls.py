from django.urls import path

from ntm.finance import views

app_name = "finance"
F = "units/<int:unit_id>/finance/"
Y = F + "<int:year>/"
W = "units/<int:unit_id>/works/<int:work_id>/"
urlpatterns = [
    path(F, views.index, name="index"),
    path(Y, views.overview, name="overview"),
    path(Y + "works/new/", views.work_add, name="work_add"),
    path(Y + "contributions/", views.contributions, name="contributions"),
    path(Y + "public/", views.public_board, name="public"),
    path(Y + "allocations/", views.allocations, name="allocations"),
    path(Y + "rates/", views.rates, name="rates"),
    path(
        Y + "contributions/export/<str:fmt>/",
        views.export,
        {"what": "contributions"},
        name="contributions_export",
    ),
    path(
        Y + "contributions/import/",
        views.import_file,
        {"what": "contributions"},
        name="contributions_import",
    ),
    path(Y + "works/export/<str:fmt>/", views.export, {"what": "works"}, name="works_export"),
    path(Y + "works/import/", views.import_file, {"what": "works"}, name="works_import"),
    path(W, views.work_detail, name="work"),
    path(W + "edit/", views.work_edit, name="work_edit"),
    path(W + "progress/", views.work_progress, name="work_progress"),
    path(W + "feed/", views.work_feed, name="work_feed"),
    path(W + "disbursements/new/", views.disbursement_add, name="disbursement_add"),
    path(W + "photos/<int:update_id>/", views.work_photo, name="work_photo"),
    path(W + "take-over/", views.work_transfer, name="work_transfer"),
]
