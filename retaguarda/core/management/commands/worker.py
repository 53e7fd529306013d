"""`retaguarda worker`: the django-tasks-db worker, plus a heartbeat and the periodic-task clock."""

import logging
import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from retaguarda.core import periodic

log = logging.getLogger(__name__)
BEAT_SECONDS = 15


class Command(DbWorker):
    help = "Run the background task worker (django.tasks with the database backend)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        stop = threading.Event()
        worker_id = options["worker_id"]

        def clock():
            while not stop.is_set():
                try:
                    periodic.beat(worker_id)
                    periodic.enqueue_due()
                except Exception:  # keep beating through a transient database error
                    log.exception("worker heartbeat failed")
                finally:
                    close_old_connections()
                stop.wait(BEAT_SECONDS)

        thread = threading.Thread(target=clock, name="heartbeat", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
