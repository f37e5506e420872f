from typing import Any

from django import template

from ntm.api.models import ApiToken

register = template.Library()


@register.inclusion_tag("api/tokens_section.html", takes_context=True)
def api_tokens_section(context: dict[str, Any]) -> dict[str, Any]:
    """The profile page's list of the user's API tokens, with the forms to create and revoke."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "tokens": list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")),
    }
