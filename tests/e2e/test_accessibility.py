"""Accessibility as a check (issue 17 item 8): axe-core, from the npm registry (installed by
`make e2e` from tests/e2e/axe/package-lock.json), injected into each main page at desktop and
phone widths; no serious or critical violation may appear."""

from pathlib import Path

import pytest

from tests.e2e.test_unit_browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
         v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def _violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


def test_main_pages_have_no_serious_accessibility_violations(live_server, page):
    from ntm.demo.loader import load_demo

    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make e2e` (npm ci in tests/e2e/axe)")
    from ntm.decisions.models import Scenario

    units = load_demo(with_values=True)
    my_thai = units["07420"]
    duong_duc = units["07408"]
    scenario = Scenario.objects.get(unit=duong_duc).pk
    base = live_server.url
    login(page, base, "xa")
    pages = [
        "/",
        f"/units/{my_thai.pk}/",
        f"/units/{my_thai.pk}/sets/xa-ntm-2026-2030/",
        f"/units/{my_thai.pk}/data/xa-ntm-2026-2030/2026Q3/",
        f"/units/{my_thai.pk}/plans/2026/",
        f"/units/{my_thai.pk}/finance/2026/",
        f"/units/{my_thai.pk}/reports/",
        "/p/07420/",
        # The scenario switcher with a scenario chosen (Dương Đức's demo scenario).
        f"/units/{duong_duc.pk}/sets/xa-ntm-nang-cao-2021-2025/?period=2024Q4&scenario={scenario}",
        f"/units/{duong_duc.pk}/plans/2024/?scenario={scenario}",
    ]
    found = {}
    for width, height in [(1280, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        for path in pages:
            problems = _violations(page, base + path)
            if problems:
                found[f"{path} @ {width}px"] = problems
    assert not found, found
    # The check itself finds what it should: an unlabelled button is critical.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button></button>')")
    assert any(p.startswith("button-name") for p in page.evaluate(RUN))
