from django.urls import path

from ntm.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.set_list, name="list"),
    path("upload/", views.set_upload, name="upload"),
    path("<slug:set_code>/", views.set_detail, name="set"),
    path("<slug:set_code>/export.<str:fmt>", views.set_export, name="export"),
    path("<slug:set_code>/indicators/<str:code>/", views.indicator_detail, name="indicator"),
]
