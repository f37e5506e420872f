from django.urls import path

from ntm.decisions import views

app_name = "decisions"
U = "units/<int:unit_id>/"
urlpatterns = [
    path(U + "scenarios/", views.scenarios, name="scenarios"),
    path(U + "scenarios/<int:scenario_id>/", views.scenario_detail, name="scenario"),
    path(
        U + "scenarios/<int:scenario_id>/export.csv", views.scenario_export, name="scenario_export"
    ),
    path(U + "scenarios/<int:scenario_id>/delete/", views.scenario_delete, name="scenario_delete"),
    path(U + "cheapest/<slug:set_code>/", views.cheapest, name="cheapest"),
    path(U + "allocation/<slug:set_code>/", views.allocation, name="allocation"),
]
