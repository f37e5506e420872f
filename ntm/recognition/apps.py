from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "ntm.recognition"
    label = "recognition"
    verbose_name = _("Satisfaction surveys and recognition dossiers")

    def ready(self) -> None:
        # Models and selectors load only once the registry is ready: imported here, not above.
        from ntm.evaluation import prerequisites
        from ntm.recognition.selectors import recognition_dates

        prerequisites.register(recognition_dates)
