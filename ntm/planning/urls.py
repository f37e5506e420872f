from django.urls import path

from ntm.planning import views

app_name = "planning"
P = "units/<int:unit_id>/plans/<int:year>/"
urlpatterns = [
    path("units/<int:unit_id>/plans/", views.plan_list, name="plans"),
    path(P, views.plan_detail, name="plan"),
    path(P + "edit/", views.plan_edit, name="plan_edit"),
    path(P + "targets/new/", views.target_add, name="target_add"),
    path(P + "tasks/new/", views.task_add, name="task_add"),
    path(P + "tasks/<int:task_id>/", views.task_detail, name="task"),
    path(P + "obstacles/new/", views.obstacle_add, name="obstacle_add"),
    path(P + "obstacles/<int:obstacle_id>/", views.obstacle_detail, name="obstacle"),
    path(P + "snapshots/new/", views.snapshot_take, name="snapshot_take"),
    path(P + "snapshots/<str:period>/", views.snapshot_detail, name="snapshot"),
    path(P + "draft/", views.draft, name="draft"),
    path(P + "areas/new/", views.area_add, name="area_add"),
    path(P + "attachments/<int:update_id>/", views.attachment, name="attachment"),
]
