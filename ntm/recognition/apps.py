from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "ntm.recognition"
    label = "recognition"
    verbose_name = _("Satisfaction surveys and recognition dossiers")
