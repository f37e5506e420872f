import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in English here; pages keep their own language per request."""
    with translation.override("en"):
        yield
