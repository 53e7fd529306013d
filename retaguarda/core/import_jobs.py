"""Spreadsheet imports started from the import page: an ImportJob per file, run at once or in a task.

Any registered importer (`core.tabular.register_importer`) runs through here; the page checks the
importer's own permission before creating a job."""

import logging

from django.db import transaction
from django.utils import timezone

from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.models import ImportJob

log = logging.getLogger(__name__)
# Files up to this many rows import during the request; larger ones go to the background worker.
INLINE_ROWS = 1000
MAX_REPORTED_ERRORS = 2000


def create_job(*, actor: Actor, kind: str, filename: str, content: bytes, skip_invalid: bool, rows: int) -> ImportJob:
    return ImportJob.objects.create(
        company_id=actor.company_id,
        kind=kind,
        filename=filename[:200],
        content=content,
        skip_invalid=skip_invalid,
        total=rows,
        created_by=actor.user,
    )


def save_valid_rows(job: ImportJob, *, actor: Actor) -> ImportJob:
    """After a run refused for its bad rows: the same file again, saving the good rows only.

    A new job (the refused one stays in the history, pointing at it); nothing is uploaded again, and
    asking twice saves once: the refused job is marked inside the same transaction, under a lock."""
    with transaction.atomic():
        source = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not refused(source):
            retried = (source.report or {}).get("retried_as")
            return ImportJob.objects.get(pk=retried) if retried else source
        new = _copy_for_valid_rows(source, actor)
    start(new)
    return new


def _copy_for_valid_rows(source: ImportJob, actor: Actor) -> ImportJob:
    new = create_job(
        actor=actor,
        kind=source.kind,
        filename=source.filename,
        content=bytes(source.content),
        skip_invalid=True,
        rows=source.total,
    )
    ImportJob.objects.filter(pk=source.pk).update(report={**source.report, "retried_as": new.pk})
    return new


def refused(job: ImportJob) -> bool:
    """The run saved nothing because some rows had problems, and the file is still here to try again."""
    report = job.report or {}
    return (
        job.status == ImportJob.Status.DONE
        and not job.skip_invalid
        and not job.saved
        and bool(report.get("errors"))
        and report.get("total", 0) > report.get("bad_rows", 0)
        and not report.get("retried_as")
    )


def start(job: ImportJob) -> None:
    """Run a small file now; enqueue a large one for the worker (the page then polls its progress)."""
    if job.total <= INLINE_ROWS:
        execute(job.pk, origin=Origin.WEB)
        return
    from retaguarda.core.tasks import run_import_job

    run_import_job.enqueue(job.pk)


def execute(job_id: int, *, origin: str = Origin.TASK) -> ImportJob | None:
    """Run a pending job once (a second call finds it no longer pending and does nothing)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, stage="checking"
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = Actor(job.created_by, origin, job.company_id)

    def progress(done: int, total: int, stage: str) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed=done, total=total, stage=stage)

    try:
        report = tabular.run_import(
            job.kind,
            bytes(job.content),
            actor=actor,
            skip_invalid=job.skip_invalid,
            progress=progress,
            filename=job.filename,
        )
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, report={"failure": str(exc)[:500]}, finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job_id)
    data = report.as_dict()
    data["error_count"] = len(data["errors"])
    data["errors"] = data["errors"][:MAX_REPORTED_ERRORS]
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        stage="",
        total=report.total,
        processed=report.total,
        saved=report.saved,
        report=data,
        # A file with problems is kept: its bad rows can be downloaded, its good ones saved later.
        content=bytes(job.content) if report.errors else b"",
        finished_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job_id)
