from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ntm.api"
    label = "api"
    verbose_name = _("API and data exchange")

    def ready(self) -> None:
        # Registers the receivers (password change revokes tokens).
        from ntm.api import signals  # noqa: F401
