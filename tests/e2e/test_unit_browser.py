"""Browser flow in headless Chromium (make e2e): a commune manager finds Dương Đức and its history."""

import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base: str, username: str) -> None:
    from ntm.demo.loader import DEMO_PASSWORD

    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(f"{base}/")


def test_commune_manager_finds_duong_duc_its_villages_and_merger(live_server, page):
    from ntm.demo.loader import load_demo

    load_demo()
    login(page, live_server.url, "xa")

    page.fill("input[name=q]", "duong duc")
    page.locator("form.search button[type=submit]").click()
    page.get_by_role("link", name="Xã Dương Đức").first.click()
    page.wait_for_selector("h1:has-text('Xã Dương Đức')")

    body = page.locator("main").inner_text()
    for village in (
        "Thôn Thượng",
        "Thôn Cầu Đàm",
        "Thôn Cầu Ván",
        "Thôn Đồng Than",
        "Thôn Cống Phên",
        "Thôn Hồng Giang",
    ):
        assert village in body
    assert "Xã Mỹ Thái (07420)" in body and "01/07/2025" in body

    shot = Path(tempfile.mkdtemp(prefix="ntm-e2e-")) / "duong-duc.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
