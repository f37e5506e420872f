from django.urls import path

from ntm.audit import views

app_name = "audit"
urlpatterns = [path("units/<int:unit_id>/activity/", views.activity, name="activity")]
