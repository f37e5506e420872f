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


def test_values_are_entered_from_the_keyboard(live_server, page):
    """Desktop: Enter saves a value and moves to the next; Tab saves it and moves on too (the
    Save button is not a stop)."""
    from ntm.demo.loader import load_demo

    my_thai = load_demo(with_values=True)["07420"]
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    login(page, base, "xa")
    page.goto(f"{base}/units/{my_thai.pk}/data/xa-ntm-2026-2030/2026Q3/")
    fields = page.locator(".inline-value input[name=value][inputmode=decimal]")
    first, second = fields.nth(0), fields.nth(1)
    first_row = first.locator("xpath=ancestor::tr").get_attribute("id")
    second_row = second.locator("xpath=ancestor::tr").get_attribute("id")
    first.fill("93")
    first.press("Enter")
    # The row comes back from the server, then the focus is on the next value's field.
    page.wait_for_function(
        f"document.activeElement && document.activeElement.closest('tr')"
        f" && document.activeElement.closest('tr').id !== '{first_row}'"
    )
    focused_row = page.evaluate("document.activeElement.closest('tr').id")
    assert focused_row == second_row
    assert page.evaluate("document.activeElement.name") == "value"
    # Saved: the row came back as a draft of 93 (it was submitted before).
    saved = page.locator(f"#{first_row}")
    assert saved.locator("input[name=value]").input_value() == "93"
    assert "Bản nháp" in saved.inner_text()

    page.keyboard.press("Control+A")
    page.keyboard.type("97")
    page.keyboard.press("Tab")
    # Tab leaves the field: the focus is not parked on the Save button, and the value saves.
    assert page.evaluate("document.activeElement.tagName") != "BUTTON"
    page.wait_for_function(
        f"document.querySelector('#{second_row}').innerText.includes('Bản nháp')"
    )
    assert page.locator(f"#{second_row} input[name=value]").input_value() == "97"
