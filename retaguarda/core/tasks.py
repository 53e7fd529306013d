"""Background tasks of the kernel (django.tasks, run by `retaguarda worker`)."""

from django.core.management import call_command
from django.tasks import task

from retaguarda.core import idempotency, import_jobs, outbox


@task
def deliver_outbox() -> int:
    """Deliver the outbox events that are due (woken by each transaction that emits events, unless a
    wake-up no worker has taken yet is waiting, see `outbox._wake_worker`; and every minute for retries).
    Idempotent: each delivery is claimed once."""
    return outbox.deliver_due()


@task
def purge_outbox() -> int:
    """Forget outbox events delivered more than 30 days ago."""
    return outbox.purge_delivered()


@task
def purge_idempotency_keys() -> int:
    """Forget idempotency keys older than 24 hours (a retry after that is a new request)."""
    return idempotency.purge_expired()


@task
def prune_task_results() -> None:
    """Forget finished background-task results older than two weeks (the worker keeps every one)."""
    call_command("prune_db_task_results", queue_name="*", min_age_days=14, verbosity=0)


@task
def run_import_job(job_id: int) -> None:
    """Import a large spreadsheet uploaded on the import page; idempotent (runs a pending job once)."""
    import_jobs.execute(job_id)
