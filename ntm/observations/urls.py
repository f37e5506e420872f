from django.urls import path

from ntm.observations import views

app_name = "observations"
urlpatterns = [
    path("units/<int:unit_id>/import/", views.values_import, name="import"),
    path("units/<int:unit_id>/export/", views.values_export, name="export"),
    path("values/<int:value_id>/", views.value_detail, name="value"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
]
