"""The demo's results, as ``evaluate --format json`` prints them, are pinned: a change to the
pipeline or the engine that alters any figure, status, gap or explanation fails here.

tests/fixtures/demo-results.jsonl was printed by the pipeline before it became incremental
(delete-and-insert of every result); regenerate it only for an intended change of results."""

import io
import json

from django.core.management import call_command

from conftest import FIXTURES


def _rows(text: str) -> list[dict]:
    rows = []
    for line in text.splitlines():
        data = json.loads(line)
        data.pop("computed_at", None)
        # Database ids depend on what ran before (PostgreSQL never reuses a sequence value).
        for criterion in data["criteria"]:
            for indicator in criterion["indicators"]:
                indicator.pop("threshold_id", None)
        rows.append(data)
    return sorted(rows, key=lambda d: (d["unit"], d["set"], d["period"]))


def test_every_demo_result_is_unchanged(db):
    from ntm.demo.loader import load_demo

    load_demo(with_values=True)
    out = io.StringIO()
    call_command("evaluate", "--format", "json", stdout=out)
    expected = _rows((FIXTURES / "demo-results.jsonl").read_text(encoding="utf-8"))
    assert _rows(out.getvalue()) == expected
