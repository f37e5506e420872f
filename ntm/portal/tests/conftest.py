import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo(db):
    """Dương Đức with its stored results (12/19 → 13/19), the 2024 plan, Cống Phên's works."""
    from ntm.demo.loader import load_demo

    return load_demo(with_values=True)


@pytest.fixture
def no_wait(settings):
    """The minimum time to fill the feedback form, off for tests that are not about it."""
    settings.PORTAL_FEEDBACK_MIN_SECONDS = 0


@pytest.fixture
def work(demo):
    from ntm.finance.models import Work

    return Work.objects.get(name__startswith="Sân thể thao thôn Cống Phên")


@pytest.fixture
def in_2024(monkeypatch):
    """Messages sent while Dương Đức still existed (before the 2025 merger): its own officials
    answer them."""
    import datetime as dt

    from ntm.portal import services

    monkeypatch.setattr(services, "today", lambda: dt.date(2024, 10, 1))
