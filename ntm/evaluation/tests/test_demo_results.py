"""The demo's results, as ``evaluate --format json`` prints them, are pinned: a change to the
pipeline or the engine that alters any figure, status, gap or explanation fails here.

tests/fixtures/demo-results.jsonl was printed by the pipeline before it became incremental
(delete-and-insert of every result); regenerate it only for an intended change of results."""

import io
import json

from django.core.management import call_command

from conftest import FIXTURES


def _rows(text: str, basis: str | None = None) -> list[dict]:
    rows = []
    for line in text.splitlines():
        data = json.loads(line)
        data.pop("computed_at", None)
        if basis is not None:
            assert data.pop("basis") == basis
        # Database ids depend on what ran before (PostgreSQL never reuses a sequence value).
        for criterion in data["criteria"]:
            for indicator in criterion["indicators"]:
                indicator.pop("threshold_id", None)
        rows.append(data)
    return sorted(rows, key=lambda d: (d["unit"], d["set"], d["period"]))


def test_every_demo_result_is_unchanged(db):
    """The working count (every value) is pinned; the demo approves its 2024 values, so the
    approved count — the public story, 12/19 → 13/19 — is the same but for Mỹ Thái's
    baseline derived for Q3/2025 and its Q3/2026, submitted: neither is approved yet."""
    from ntm.demo.loader import load_demo

    load_demo(with_values=True)
    out = io.StringIO()
    call_command("evaluate", "--format", "json", stdout=out)
    expected = _rows((FIXTURES / "demo-results.jsonl").read_text(encoding="utf-8"))
    assert _rows(out.getvalue(), "working") == expected

    out = io.StringIO()
    call_command("evaluate", "--format", "json", "--basis", "approved", stdout=out)
    approved = _rows(out.getvalue(), "approved")
    waiting = {("07420", "2025Q3"), ("07420", "2026Q3")}
    assert approved == [r for r in expected if (r["unit"], r["period"]) not in waiting]
    assert [(r["period"], r["met"]) for r in approved if r["unit"] == "07408"] == [
        ("2024Q1", 12),
        ("2024Q4", 13),
    ]


def test_results_rebuilt_in_bulk_are_the_pinned_ones(db, monkeypatch):
    """Every result rewritten at once — by COPY and one INSERT … ON CONFLICT on PostgreSQL
    (``COPY_FROM`` lowered so the demo's small batches take that path), by executemany on
    SQLite — over rows that exist (the conflict path) and over none."""
    from ntm.demo.loader import load_demo
    from ntm.evaluation import services
    from ntm.evaluation.models import SetResult, UnitBasis

    load_demo(with_values=True)
    monkeypatch.setattr(services, "COPY_FROM", 1)
    expected = _rows((FIXTURES / "demo-results.jsonl").read_text(encoding="utf-8"))
    # Rows that exist but say something else: each must be updated in place.
    SetResult.stored.update(met=0, input_hash="stale", detail={})
    call_command("evaluate", "--full", stdout=io.StringIO())
    out = io.StringIO()
    call_command("evaluate", "--format", "json", stdout=out)
    assert _rows(out.getvalue(), "working") == expected
    # No row at all: each is inserted.
    SetResult.stored.all().delete()
    UnitBasis.objects.all().delete()
    call_command("evaluate", stdout=io.StringIO())
    out = io.StringIO()
    call_command("evaluate", "--format", "json", stdout=out)
    assert _rows(out.getvalue(), "working") == expected
