"""Data entry and the unit page on a 390 px phone (issue 17 item 2): measured, not only
present — no sideways scrolling, each indicator a card whose name reads on full lines, with
its threshold, earlier values, field and button; the unit's main actions at the top; the menu
on one line."""

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_entry_and_unit_page_fit_a_phone(live_server, page):
    from ntm.demo.loader import load_demo

    my_thai = load_demo(with_values=True)["07420"]
    base = live_server.url
    login(page, base, "xa")
    assert page.viewport_size["width"] == 390

    page.goto(f"{base}/units/{my_thai.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    actions = page.locator("#main-actions").bounding_box()
    assert actions is not None and actions["y"] < 450, actions
    assert page.locator(".topbar").bounding_box()["height"] < 140

    page.goto(f"{base}/units/{my_thai.pk}/data/xa-ntm-2026-2030/2026Q3/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("table.entry tbody tr").first
    cells = row.locator("td")
    name = cells.nth(0).bounding_box()
    assert name["width"] > 300, name  # the name reads on full lines, not a word per line
    earlier = cells.nth(2)
    assert earlier.is_visible() and earlier.inner_text().strip()
    field = row.locator("[name=value]").bounding_box()
    button = row.locator("button[type=submit]").bounding_box()
    assert abs(field["y"] - button["y"]) < 10 and button["x"] + button["width"] <= 390
    # A card per indicator: far shorter than five squeezed columns (~14,000 px before).
    assert page.evaluate("document.documentElement.scrollHeight") < 13000
