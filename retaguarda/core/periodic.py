"""Periodic tasks: apps register a task and an interval; the worker enqueues each when it is due.

`django.tasks` has no scheduler, and one machine needs no extra service for it: the worker's
heartbeat thread calls `enqueue_due()`, which takes a row lock so several workers enqueue once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from retaguarda.core.models import PeriodicRun, WorkerHeartbeat


@dataclass(frozen=True)
class Periodic:
    name: str
    task: object  # a django.tasks Task
    every: timedelta


REGISTRY: dict[str, Periodic] = {}


def register(task, *, every: timedelta) -> None:
    name = f"{task.module_path}"
    REGISTRY[name] = Periodic(name, task, every)


def enqueue_due(now=None) -> list[str]:
    """Enqueue every registered task whose interval has passed; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in REGISTRY.values():
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run, _created = PeriodicRun.objects.get_or_create(
                        name=periodic.name, defaults={"last_enqueued_at": now - periodic.every}
                    )
            except IntegrityError:
                pass
            run = PeriodicRun.objects.select_for_update().get(name=periodic.name)
            if now - run.last_enqueued_at >= periodic.every:
                periodic.task.enqueue()
                PeriodicRun.objects.filter(pk=run.pk).update(last_enqueued_at=now)
                enqueued.append(periodic.name)
    return enqueued


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now()})
    # Forget workers silent for a day, so the table does not grow with every restart.
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
