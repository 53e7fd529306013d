"""The real worker with one test handler registered, run in a subprocess by `test_outbox`.

The handler writes a row and, when `OUTBOX_TEST_HANG` is set, touches `OUTBOX_TEST_STARTED` and hangs
inside its transaction so that the test can kill the worker mid-delivery."""

import os
import time
from datetime import timedelta

import django

HANDLER_NAME = "tests.outbox.apply_once"
EVENT_TYPE = "tests.outbox.killed"
LEASE = timedelta(seconds=1)


def apply_once(event):
    from retaguarda.core.models import DocumentEvent

    DocumentEvent.objects.create(document_type="tests.outbox", document_id=event.pk, to_state="applied", origin="task")
    if os.environ.get("OUTBOX_TEST_HANG"):
        with open(os.environ["OUTBOX_TEST_STARTED"], "w") as started:
            started.write("applied, not committed")
        time.sleep(600)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.config.settings")
    django.setup()
    from django.core.management import call_command

    from retaguarda.core import outbox

    outbox.register(EVENT_TYPE, apply_once, name=HANDLER_NAME, lease=LEASE)
    call_command("worker", "--batch", "--interval=0.1", "--no-startup-delay", verbosity=0)


if __name__ == "__main__":
    main()
