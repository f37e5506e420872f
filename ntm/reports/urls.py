from django.urls import path

from ntm.reports import views

app_name = "reports"
R = "units/<int:unit_id>/reports/"
urlpatterns = [
    path(R, views.index, name="index"),
    path(R + "bulk/", views.bulk_start, name="bulk"),
    path(R + "jobs/<int:job_id>/", views.job, name="job"),
    path(R + "jobs/<int:job_id>/download/", views.job_download, name="job_download"),
    path(R + "<slug:report>/<str:fmt>/", views.download, name="download"),
]
