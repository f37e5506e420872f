"""Background work (Django tasks): each takes ids and calls one service."""

from django.tasks import task

from ntm.evaluation.services import refresh_stale


@task
def refresh_stale_results(limit: int | None = None) -> int:
    """Refresh results marked stale (by any action), a chunk of units at a time. Several
    workers may run this at once: each claims its own chunks."""
    return refresh_stale(limit=limit).written
