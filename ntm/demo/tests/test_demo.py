from ntm.evaluation.models import SetResult


def test_demo_values_give_12_of_19_then_13_of_19_and_cong_phen_reaches_the_model_village_set(db):
    from ntm.demo.loader import load_demo

    load_demo(with_values=True)
    advanced = {
        r.period: (r.met, r.total)
        for r in SetResult.objects.filter(
            unit__code="07408", criteria_set__code="xa-ntm-nang-cao-2021-2025"
        )
    }
    assert advanced == {"2024Q1": (12, 19), "2024Q4": (13, 19)}
    q4 = SetResult.objects.get(
        unit__code="07408", period="2024Q4", criteria_set__code="xa-ntm-nang-cao-2021-2025"
    )
    assert q4.unverified and q4.applied_set.illustrative
    villages = {
        (r.unit.name, r.period): r.status
        for r in SetResult.objects.filter(
            criteria_set__code="thon-ntm-kieu-mau-bac-giang-minh-hoa"
        ).select_related("unit")
    }
    assert villages[("Thôn Cống Phên", "2024Q1")] == "not_met"
    assert villages[("Thôn Cống Phên", "2024Q4")] == "met"
    assert all(
        villages[(name, "2024Q1")] == "met"
        for name in ("Thôn Thượng", "Thôn Cầu Đàm", "Thôn Cầu Ván", "Thôn Đồng Than")
    )
    count = SetResult.objects.count()
    load_demo(with_values=True)
    assert SetResult.objects.count() == count


def test_load_demo_refuses_a_database_with_real_users_unless_forced(db):
    import io

    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ntm.accounts.models import User
    from ntm.geo.models import AdminUnit

    User.objects.create_user(username="nguyenvana", password="mat-khau-that-2026")
    with pytest.raises(CommandError, match=r"nguyenvana.*--force"):
        call_command("load_demo")
    assert not User.objects.filter(is_demo=True).exists() and not AdminUnit.objects.exists()

    call_command("load_demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(is_demo=True, username="xa").exists()
    assert User.objects.filter(username="nguyenvana", is_demo=False).exists()


def test_load_demo_runs_again_on_a_demo_database(db):
    import io

    from django.core.management import call_command

    from ntm.demo.loader import load_demo

    load_demo()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo data ready" in out.getvalue()


def test_the_demo_banner_is_on_the_admin_login_page_too(db, client):
    from django.urls import reverse

    from ntm.accounts.models import User

    User.objects.create_user(username="nguyenvana", password="x")
    page = client.get(reverse("admin:login")).content.decode()
    assert "demo-banner" not in page and 'id="header"' in page
    User.objects.create_user(username="xem", password="x", is_demo=True)
    page = client.get(reverse("admin:login")).content.decode()
    assert 'class="demo-banner"' in page and 'id="header"' in page
    assert client.get(reverse("accounts:login")).content.decode().count("demo-banner") == 1
