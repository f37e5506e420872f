"""A module-scoped demo database for report tests: the full demo (Dương Đức's values, its 2024
plan with the Q1 and Q4 snapshots, Cống Phên's works and contributions) takes ~10 s to load, so
each test module loads it once inside a transaction that is rolled back at the module's end.
Tests that use it also request ``db``: their own transaction nests as a savepoint."""

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def demo_db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    from django.db import transaction

    from ntm.demo.loader import load_demo

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(with_values=True)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
