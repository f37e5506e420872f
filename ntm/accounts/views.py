from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ntm.accounts.permissions import browse_roots, memberships_of
from ntm.geo.selectors import tree_roots


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's units: where their tree starts, with a search box."""
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships_of(request.user),
            "roots": tree_roots(roots=browse_roots(request.user)),
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"memberships": memberships_of(request.user)})
