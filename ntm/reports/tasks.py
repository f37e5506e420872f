"""Background work: the zipped reports of a district or province (see ``services.run_bulk``)."""

from django.tasks import task

from ntm.reports.services import run_bulk


@task(backend="background")
def build_bulk(job_id: int) -> int:
    return run_bulk(job_id).done
