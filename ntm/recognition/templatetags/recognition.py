"""Recognition on other apps' pages (the set result page of evaluation)."""

from django import template

from ntm.geo.models import AdminUnit
from ntm.recognition.models import Recognition
from ntm.recognition.selectors import latest_recognition

register = template.Library()


@register.simple_tag
def recognition_of(unit: AdminUnit, set_code: str) -> Recognition | None:
    return latest_recognition(unit, set_code)
