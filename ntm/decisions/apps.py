from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "ntm.decisions"
    label = "decisions"
    verbose_name = _("Decision support: scenarios, cheapest paths, projections")
