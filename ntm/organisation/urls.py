from django.urls import path

from ntm.organisation import views

app_name = "organisation"
urlpatterns = [
    path("units/<int:unit_id>/committees/", views.committee_list, name="committees"),
    path("units/<int:unit_id>/committees/new/", views.committee_create, name="committee_create"),
    path(
        "units/<int:unit_id>/committees/<int:committee_id>/edit/",
        views.committee_edit,
        name="committee_edit",
    ),
    path(
        "units/<int:unit_id>/committees/<int:committee_id>/members/new/",
        views.member_create,
        name="member_create",
    ),
    path(
        "units/<int:unit_id>/committees/<int:committee_id>/members/<int:member_id>/edit/",
        views.member_edit,
        name="member_edit",
    ),
    path(
        "units/<int:unit_id>/committees/<int:committee_id>/members/<int:member_id>/delete/",
        views.member_delete,
        name="member_delete",
    ),
    path("units/<int:unit_id>/emulation/", views.campaign_list, name="campaigns"),
    path("units/<int:unit_id>/emulation/new/", views.campaign_create, name="campaign_create"),
    path(
        "units/<int:unit_id>/emulation/<int:campaign_id>/edit/",
        views.campaign_edit,
        name="campaign_edit",
    ),
    path(
        "units/<int:unit_id>/emulation/<int:campaign_id>/awards/new/",
        views.award_create,
        name="award_create",
    ),
    path(
        "units/<int:unit_id>/emulation/<int:campaign_id>/awards/<int:award_id>/edit/",
        views.award_edit,
        name="award_edit",
    ),
    path("units/<int:unit_id>/ocop/", views.ocop_list, name="ocop"),
    path("units/<int:unit_id>/ocop/new/", views.ocop_create, name="ocop_create"),
    path("units/<int:unit_id>/ocop/<int:product_id>/edit/", views.ocop_edit, name="ocop_edit"),
]
