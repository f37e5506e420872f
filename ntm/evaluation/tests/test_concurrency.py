"""Many savers at once on one commune, in separate processes against PostgreSQL: no save
fails, none is lost, and the stored results equal a fresh evaluation of the stored values.

Before the pipeline locked units and upserted results, 92 of 160 such saves failed with a
duplicate key on the results table (a delete and an insert racing under READ COMMITTED)."""

import multiprocessing

import pytest
from django.db import connection, connections

from ntm.accounts.models import User
from ntm.evaluation.models import SetResult
from ntm.evaluation.services import evaluate_units
from ntm.observations.models import DataValue

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4
SAVES = 40
PERIODS = [f"{year}Q{q}" for year in (2022, 2023, 2024) for q in (1, 2, 3, 4)]
# Each worker writes its own indicator, so the last value of each (code, period) is known.
CODES = ["1.1", "households", "poor_households", "1.2"]


def _value(worker: int, i: int) -> str:
    if CODES[worker] == "1.2":
        return "đạt" if i % 2 else "không đạt"
    if CODES[worker] == "1.1":
        return str(50 + (i * 7) % 50)
    return str(1000 + worker * 100 + i)


def _save_many(worker: int, unit_id: int, set_id: int, user_id: int, barrier, out) -> None:
    """Runs in a child process with its own database connection; every worker starts its
    i-th save together with the others (the barrier), so the saves really overlap."""
    from ntm.catalog.models import CriteriaSet
    from ntm.evaluation.actions import value_record
    from ntm.geo.models import AdminUnit

    failures = []
    try:
        unit = AdminUnit.objects.get(pk=unit_id)
        family = CriteriaSet.objects.get(pk=set_id)
        user = User.objects.get(pk=user_id)
        for i in range(SAVES):
            barrier.wait(timeout=60)
            try:
                value_record(
                    user=user,
                    unit=unit,
                    criteria_set=family,
                    code=CODES[worker],
                    period=PERIODS[i % len(PERIODS)],
                    value=_value(worker, i),
                )
            except Exception as exc:
                failures.append(f"worker {worker} save {i}: {exc!r}")
    except Exception as exc:
        failures.append(f"worker {worker}: {exc!r}")
    finally:
        connections.close_all()
        out.put(failures)


def test_concurrent_savers_on_one_commune_lose_nothing(demo, small_set):
    if connection.vendor != "postgresql":
        pytest.skip("several processes share one database only on PostgreSQL here")
    unit = demo["07408"]
    user = User.objects.get(username="xa")
    connections.close_all()  # children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_save_many, args=(w, unit.pk, small_set.pk, user.pk, barrier, out))
        for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    failures = [f for _ in workers for f in out.get(timeout=300)]
    for process in workers:
        process.join(timeout=60)
    assert failures == []

    stored = {
        (code, period): text
        for code, period, text in DataValue.objects.filter(unit=unit).values_list(
            "code", "period", "text"
        )
    }
    for worker, code in enumerate(CODES):
        for i in range(SAVES):
            last = max(j for j in range(SAVES) if j % len(PERIODS) == i % len(PERIODS))
            expected = _value(worker, last)
            text = stored[(code, PERIODS[i % len(PERIODS)])]
            assert text.lower() == expected.lower() or (
                code == "1.2" and (text in ("true", "đạt")) == (expected == "đạt")
            ), (code, PERIODS[i % len(PERIODS)], text, expected)
    assert SetResult.objects.filter(unit=unit, criteria_set=small_set).count() == len(PERIODS)
    fresh = evaluate_units(units=[unit], family=small_set, full=True)
    assert (fresh.written, fresh.removed) == (0, 0), "stored results lag behind the values"
