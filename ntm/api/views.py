"""The tokens section of the profile page: a user creates and revokes only their own tokens."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ntm.api import services
from ntm.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    read_only = forms.BooleanField(label=gettext_lazy("Read only"), required=False)
    expires_on = forms.DateField(label=gettext_lazy("Valid until"), required=False)

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen day, local time: a token "valid until 31/12" works all that day."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        if "expires_on" in form.errors:
            messages.error(request, _("The expiry date is not a date (dd/mm/yyyy)."))
        else:
            messages.error(request, _("Name the token (at most 100 characters)."))
        return redirect("accounts:profile")
    try:
        created = services.token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_at=form.expires_at(),
        )
    except services.TokenError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:profile")
    # The key is in this response only: it is not stored and cannot be shown again.
    response = render(
        request, "api/token_created.html", {"token": created.token, "key": created.key}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    token_id = request.POST.get("token", "")
    if not token_id.isdigit():
        raise PermissionDenied
    # Only the caller's own tokens are found: another user's token is a 404.
    token = get_object_or_404(ApiToken, pk=int(token_id), user=request.user)
    services.token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:profile")
