import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ntm.accounts.models import User
from ntm.accounts.permissions import Action, can, require, visible_units


@pytest.mark.parametrize(
    ("username", "action", "allowed"),
    [
        ("xa", Action.VIEW, True),
        ("xa", Action.MANAGE_UNITS, True),
        ("xa", Action.CONFIGURE_CRITERIA, False),
        ("congchuc", Action.EDIT_DATA, True),
        ("congchuc", Action.MANAGE_UNITS, False),
        ("mttq", Action.SUPERVISE, True),
        ("mttq", Action.EDIT_DATA, False),
        ("xem", Action.VIEW, True),
        ("xem", Action.EDIT_DATA, False),
        ("tinh", Action.CONFIGURE_CRITERIA, True),
    ],
)
def test_roles_allow_their_actions_on_their_commune(demo, username, action, allowed):
    assert can(User.objects.get(username=username), action, demo["07408"]) is allowed


def test_nobody_acts_outside_their_subtree(demo, other_commune):
    for user in User.objects.exclude(username="admin"):
        assert not can(user, Action.VIEW, other_commune), user
    assert can(User.objects.get(username="admin"), Action.EDIT_DATA, other_commune)


def test_require_answers_404_outside_scope_and_403_for_a_missing_right(demo, other_commune):
    xem = User.objects.get(username="xem")
    with pytest.raises(Http404):
        require(xem, Action.VIEW, other_commune)
    with pytest.raises(PermissionDenied):
        require(xem, Action.EDIT_DATA, demo["07408"])


def test_inactive_users_can_do_nothing(demo):
    xa = User.objects.get(username="xa")
    xa.is_active = False
    assert not can(xa, Action.VIEW, demo["07408"])


def test_visible_units_is_the_union_of_subtrees(demo, other_commune):
    codes = set(visible_units(User.objects.get(username="thon")).values_list("code", flat=True))
    assert codes == {"07408.05"}
    tinh = set(visible_units(User.objects.get(username="tinh")).values_list("code", flat=True))
    assert {"24", "217", "07408", "07408.05"} <= tinh and "06100" not in tinh
