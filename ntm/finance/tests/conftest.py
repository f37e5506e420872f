import io

import pytest
from PIL import Image


def _image(fmt: str) -> bytes:
    """A real 8×8 picture: uploads are opened to check their size in pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, fmt)
    return buffer.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def users(demo):
    from ntm.accounts.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def works(demo, users):
    """The finance demo of Cống Phên, 2024."""
    from ntm.finance.demo import load_finance_demo

    return load_finance_demo(demo, users)


@pytest.fixture
def village_2(demo):
    """Another village of Dương Đức (Thôn Cầu Đàm)."""
    from ntm.geo.models import AdminUnit

    return AdminUnit.objects.get(code="07408.02", valid_from=None)
