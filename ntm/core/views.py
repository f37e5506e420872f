from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ntm.accounts.permissions import memberships_of
from ntm.geo.selectors import tree_roots


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships_of(request.user),
            "roots": tree_roots(user=request.user),
        },
    )
