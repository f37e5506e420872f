from django.urls import path

from ntm.portal import views

app_name = "portal"
M = "units/<int:unit_id>/feedback/"
urlpatterns = [
    # Work addresses first: "w" is never a unit code.
    path("p/w/<int:work_id>/", views.work, name="work"),
    path("p/w/<int:work_id>/feedback/", views.work_feedback, name="work_feedback"),
    path("p/w/<int:work_id>/sign/", views.work_sign, name="work_sign"),
    path("p/w/<int:work_id>/photos/<int:update_id>/", views.work_photo, name="work_photo"),
    path("p/<str:code>/", views.unit, name="unit"),
    path("p/<str:code>/feedback/", views.unit_feedback, name="unit_feedback"),
    path(M, views.moderation, name="moderation"),
    path(M + "<int:feedback_id>/", views.moderate, name="moderate"),
]
