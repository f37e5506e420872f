from django.urls import path

from ntm.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.unit_index, name="index"),
    path("<int:unit_id>/", views.unit_detail, name="detail"),
    path("<int:unit_id>/children/", views.unit_children, name="children"),
    path("<int:unit_id>/villages/new/", views.village_create, name="village_create"),
    path("<int:unit_id>/groups/", views.commune_groups, name="groups"),
    path("<int:unit_id>/groups.csv", views.commune_groups_template, name="groups_template"),
    path(
        "<int:unit_id>/classifications/new/",
        views.classification_create,
        name="classification_create",
    ),
]
