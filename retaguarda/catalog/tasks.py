"""Background tasks of the catalog (django.tasks, run by `retaguarda worker`)."""

from django.tasks import task

from retaguarda.catalog import imports


@task
def run_import_job(job_id: int) -> None:
    """Import a large spreadsheet uploaded on the import page; idempotent (runs a pending job once)."""
    imports.execute(job_id)
