"""No silent overwrite of a plan or a work (issue 14 item 3): the form carries the version it
showed; a save after someone else's is refused with their change, and saving again keeps
one's own."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import User
from ntm.demo.loader import load_demo
from ntm.finance.models import Work
from ntm.planning.models import Plan


@pytest.fixture
def demo_full(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return load_demo(with_values=True)


def _fields(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag and "<select" not in tag:
            found[name.group(1)] = value.group(1) if value else ""
    for name, selected in re.findall(
        r'<select name="([^"]+)".*?<option value="([^"]*)" selected', html, re.S
    ):
        found[name] = selected
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        found[name] = text.strip()
    found.pop("csrfmiddlewaretoken", None)
    return found


def test_two_people_editing_one_plan(demo_full):
    plan = Plan.objects.get(unit=demo_full["07408"], year=2024)
    url = reverse("planning:plan_edit", args=[plan.unit.pk, plan.year])
    first, second = Client(), Client()
    first.force_login(User.objects.get(username="xa"))
    second.force_login(User.objects.get(username="tinh"))
    form_first, form_second = _fields(first.get(url).text), _fields(second.get(url).text)
    assert form_first["based_on"] and form_first["based_on"] == form_second["based_on"]
    saved = second.post(url, {**form_second, "title": "Kế hoạch của tỉnh"})
    assert saved.status_code == 302
    refused = first.post(url, {**form_first, "title": "Kế hoạch của xã"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Kế hoạch của tỉnh" in page and "Kế hoạch của xã" in page  # theirs and mine
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch của tỉnh"
    # Saving the returned form keeps mine.
    again = first.post(url, _fields(page))
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch của xã"


def test_two_people_editing_one_work(demo_full):
    work = Work.objects.filter(unit__code="07408.05").order_by("pk").first()
    url = reverse("finance:work_edit", args=[work.unit.pk, work.pk])
    first, second = Client(), Client()
    first.force_login(User.objects.get(username="xa"))
    second.force_login(User.objects.get(username="thon"))
    form_first, form_second = _fields(first.get(url).text), _fields(second.get(url).text)
    assert second.post(url, {**form_second, "work-name": "Tên do thôn sửa"}).status_code == 302
    refused = first.post(url, {**form_first, "work-name": "Tên do xã sửa"})
    assert refused.status_code == 200 and "Tên do thôn sửa" in refused.content.decode()
    work.refresh_from_db()
    assert work.name == "Tên do thôn sửa"


def test_a_budget_changed_meanwhile_refuses_the_works_form(demo_full):
    work = Work.objects.filter(unit__code="07408.05").order_by("pk").first()
    url = reverse("finance:work_edit", args=[work.unit.pk, work.pk])
    first, second = Client(), Client()
    first.force_login(User.objects.get(username="xa"))
    second.force_login(User.objects.get(username="thon"))
    form_first, form_second = _fields(first.get(url).text), _fields(second.get(url).text)
    budget = next(k for k in form_second if k.startswith("budget-"))
    changed = second.post(url, {**form_second, budget: "123.000"})
    assert changed.status_code == 302
    refused = first.post(url, {**form_first, "work-name": "Tên mới"})
    assert refused.status_code == 200 and "errorlist" in refused.text
    work.refresh_from_db()
    assert work.name != "Tên mới"
