from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ntm.accounts import services
from ntm.accounts.permissions import (
    Action,
    browse_roots,
    can,
    is_system_admin,
    memberships_of,
    unit_or_404,
)
from ntm.geo.selectors import successors_of, tree_roots


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's units: those they serve today first, ended ones (the merger's predecessors)
    under "history" with what each became."""
    roots = tree_roots(roots=browse_roots(request.user))
    ended = [u for u in roots if not u.is_current]
    successors = successors_of(ended)
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships_of(request.user),
            "roots": [u for u in roots if u.is_current],
            # What to do now, per unit the user serves (a system administrator serves them all:
            # their home stays the list).
            "todo_units": []
            if is_system_admin(request.user)
            else [u for u in roots if u.is_current][:5],
            "history": [
                (u, [(s, can(request.user, Action.VIEW, s)) for s in successors[u.pk]])
                for u in ended
            ],
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"memberships": memberships_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def carry_over(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The people of the units merged into this one (and into units below it), carried to the
    successors with their roles, after a preview."""
    unit = unit_or_404(request.user, unit_id, Action.MANAGE_USERS)
    if request.method == "POST":
        if not unit.is_current:
            raise PermissionDenied
        rows = services.memberships_carry_over(unit=unit, actor=request.user)
        created = len(
            {
                (r.membership.user_id, r.successor.pk, r.membership.role)
                for r in rows
                if r.status == services.CarryStatus.NEW
            }
        )
        messages.success(request, _("%(n)d roles carried over.") % {"n": created})
        return redirect("people:carry_over", unit_id=unit.pk)
    rows = services.carry_over_preview(unit)
    return render(
        request,
        "accounts/carry_over.html",
        {
            "unit": unit,
            "rows": rows,
            "to_create": [r for r in rows if r.status == services.CarryStatus.NEW],
            "editable": unit.is_current,
        },
    )
