"""Fixtures shared by every app's tests: the demo commune and one persona per role."""

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parent.parent / "shared" / "data" / "admin-units"
ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_configure(config):
    from django.conf import settings

    # Tests do not run collectstatic; serve static files without the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Demo users get a password each; a slow hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    from ntm.demo.loader import load_demo

    return load_demo()


@pytest.fixture
def other_commune(db):
    """A commune outside every demo user's scope (another province)."""
    from ntm.geo.models import Kind
    from ntm.geo.services import unit_create

    province = unit_create(code="20", name="Tỉnh Lạng Sơn", kind=Kind.PROVINCE)
    district = unit_create(code="178", name="Huyện Hữu Lũng", kind=Kind.DISTRICT, parent=province)
    commune = unit_create(code="06100", name="Xã Hòa Lạc", kind=Kind.COMMUNE, parent=district)
    unit_create(code="06100.01", name="Thôn Lạc Nam", kind=Kind.VILLAGE, parent=commune)
    return commune


@pytest.fixture
def persona(demo, client):
    """persona("xa") logs the client in as that demo user and returns the user."""
    from ntm.accounts.models import User

    def login(username: str):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return login


@pytest.fixture
def shared_data():
    if not (SHARED_DATA / "units-2025-03-01.csv").exists():
        pytest.skip("../shared/data/admin-units is not available")
    return SHARED_DATA


@pytest.fixture
def small_set(db):
    """A three-criterion commune set (tests/fixtures/criteria-small.yaml)."""
    from ntm.catalog.loader import load_criteria
    from ntm.catalog.models import CriteriaSet

    load_criteria(FIXTURES / "criteria-small.yaml")
    return CriteriaSet.objects.get(code="xa-thu-nghiem")


@pytest.fixture
def reform(db):
    """A code the 2025 reform reused, built small: 14758 was Phường Đông Thọ (thành phố Thanh
    Hóa) until 30/06/2025 and is Phường Hàm Rồng (tỉnh Thanh Hóa, two levels) from 01/07/2025;
    14755, Phường Nam Ngạn, ended with it. Users: ``thanhhoa`` (province administrator),
    ``dongtho``, ``hamrong`` and ``namngan`` (each their ward's commune manager). Returns the
    units: ``province``, ``old`` (Đông Thọ), ``new`` (Hàm Rồng), ``neighbour`` (Nam Ngạn)."""
    import datetime as dt

    from ntm.accounts.models import Membership, Role, User
    from ntm.geo.models import Kind, Region
    from ntm.geo.services import succession_record, unit_create

    ended, started = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    province = unit_create(code="38", name="Tỉnh Thanh Hóa", kind=Kind.PROVINCE, region=Region.BTB)
    city = unit_create(
        code="380",
        name="Thành phố Thanh Hóa",
        kind=Kind.PROVINCIAL_CITY,
        parent=province,
        valid_to=ended,
    )
    old = unit_create(
        code="14758", name="Phường Đông Thọ", kind=Kind.WARD, parent=city, valid_to=ended
    )
    neighbour = unit_create(
        code="14755", name="Phường Nam Ngạn", kind=Kind.WARD, parent=city, valid_to=ended
    )
    new = unit_create(
        code="14758", name="Phường Hàm Rồng", kind=Kind.WARD, parent=province, valid_from=started
    )
    for predecessor in (old, neighbour):
        succession_record(predecessor=predecessor, successor=new, effective_date=started)
    for username, unit, role in [
        ("thanhhoa", province, Role.PROVINCE_ADMIN),
        ("dongtho", old, Role.COMMUNE_MANAGER),
        ("hamrong", new, Role.COMMUNE_MANAGER),
        ("namngan", neighbour, Role.COMMUNE_MANAGER),
    ]:
        user = User.objects.create(username=username, full_name=username)
        Membership.objects.create(user=user, unit=unit, role=role)
    return {"province": province, "old": old, "new": new, "neighbour": neighbour}
