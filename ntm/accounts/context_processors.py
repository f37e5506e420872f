from typing import Any

from django.http import HttpRequest

from ntm.accounts.models import User


def site(request: HttpRequest) -> dict[str, Any]:
    # Lazy: evaluated only by templates that show the banner, once per request.
    class _Demo:
        _value: bool | None = None

        def __bool__(self) -> bool:
            if self._value is None:
                self._value = User.objects.filter(is_demo=True, is_active=True).exists()
            return self._value

    # The formats official reports come in (download buttons on unit, plan and snapshot pages).
    return {"demo_users_exist": _Demo(), "report_formats": ("docx", "xlsx", "pdf")}
