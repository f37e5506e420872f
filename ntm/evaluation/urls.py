from django.urls import path

from ntm.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("pipeline/", views.pipeline, name="pipeline"),
    path("<int:unit_id>/sets/<slug:set_code>/", views.set_result, name="set_result"),
    path(
        "<int:unit_id>/sets/<slug:set_code>/criteria/<int:number>/",
        views.criterion_detail,
        name="criterion",
    ),
    path("<int:unit_id>/sets/<slug:set_code>/units/", views.subunits, name="subunits"),
    path("<int:unit_id>/data/<slug:set_code>/<str:period>/", views.entry, name="entry"),
    path(
        "<int:unit_id>/data/<slug:set_code>/<str:period>/derive/",
        views.derive,
        name="derive",
    ),
    path(
        "<int:unit_id>/approval/<slug:set_code>/<str:period>/",
        views.approval,
        name="approval",
    ),
    path(
        "<int:unit_id>/data/<slug:set_code>/<str:period>/<str:code>/",
        views.value_save,
        name="value_save",
    ),
]
