from django.urls import path

from ntm.api import views

app_name = "apitokens"
urlpatterns = [
    path("create/", views.token_create, name="create"),
    path("revoke/", views.token_revoke, name="revoke"),
]
