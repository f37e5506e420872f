"""Pages about the people of one unit (under /units/<id>/...)."""

from django.urls import path

from ntm.accounts import views

app_name = "people"
urlpatterns = [
    path("<int:unit_id>/people/carry-over/", views.carry_over, name="carry_over"),
]
