"""The outbox: events leave after commit, each handler applies each event once, failures back off."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.core.models import DocumentEvent, OutboxDelivery, OutboxEvent
from retaguarda.core.tasks import deliver_outbox
from retaguarda.core.tests import outbox_worker

State = OutboxDelivery.State


class Recorder:
    """A handler that records what it was given and can be told to fail."""

    def __init__(self):
        self.seen: list[OutboxEvent] = []
        self.failures = 0

    def __call__(self, event):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SEFAZ did not answer")
        self.seen.append(event)


@pytest.fixture
def recorder():
    handler = Recorder()
    outbox.register("tests.order.confirmed", handler, name="tests.recorder")
    yield handler
    outbox.unregister("tests.recorder")


def _deliveries(event) -> list[OutboxDelivery]:
    return list(OutboxDelivery.objects.filter(event=event).order_by("id"))


@pytest.mark.django_db(transaction=True)
def test_an_event_is_delivered_after_commit_through_the_worker_queue(recorder, company):
    with transaction.atomic():
        event = outbox.emit("tests.order.confirmed", {"order_id": 7}, company_id=company.pk)
        outbox.emit("tests.order.confirmed", {"order_id": 8}, company_id=company.pk)
        # the worker's wake-up is written in the same transaction: it commits with the events, or not at all
        assert DBTaskResult.objects.filter(task_path=deliver_outbox.module_path).count() == 1  # one wake-up

    assert DBTaskResult.objects.filter(task_path=deliver_outbox.module_path).count() == 1
    assert deliver_outbox.call() == 2
    assert [e.payload["order_id"] for e in recorder.seen] == [7, 8]
    assert recorder.seen[0].pk == event.pk and recorder.seen[0].company_id == company.pk
    assert [(d.state, d.attempts) for d in _deliveries(event)] == [(State.DONE, 1)]
    assert outbox.deliver_due() == 0  # delivered once


@pytest.mark.django_db(transaction=True)
def test_an_event_whose_transaction_rolls_back_is_never_delivered(recorder, company):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.emit("tests.order.confirmed", {"order_id": 7}, company_id=company.pk)
        raise RuntimeError("the order failed to confirm")

    assert outbox.deliver_due() == 0
    assert recorder.seen == []
    assert not OutboxEvent.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_wake_up_no_worker_has_taken_yet_is_joined_and_a_taken_one_is_not(recorder, company):
    for n in range(3):
        with transaction.atomic():
            outbox.emit("tests.order.confirmed", {"order_id": n}, company_id=company.pk)
    wakeups = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path)
    assert wakeups.count() == 1  # three transactions, one wake-up waiting: when it runs, it delivers all three

    wakeups.update(status="RUNNING")  # a worker took it, and may have read the due deliveries already
    with transaction.atomic():
        outbox.emit("tests.order.confirmed", {"order_id": 3}, company_id=company.pk)
    assert wakeups.filter(status="READY").count() == 1  # so the next transaction wakes the worker again
    assert deliver_outbox.call() == 4
    assert sorted(e.payload["order_id"] for e in recorder.seen) == [0, 1, 2, 3]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no row locks")
@pytest.mark.django_db(transaction=True)
def test_a_wake_up_a_worker_is_claiming_is_not_joined(recorder, company):
    with transaction.atomic():
        outbox.emit("tests.order.confirmed", {"order_id": 1}, company_id=company.pk)
    worker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with worker.cursor() as cursor:  # a worker in the middle of claiming the waiting wake-up
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'READY' FOR UPDATE SKIP LOCKED"
            )
            assert len(cursor.fetchall()) == 1
            with transaction.atomic():
                outbox.emit("tests.order.confirmed", {"order_id": 2}, company_id=company.pk)
            cursor.execute("ROLLBACK")
    finally:
        worker.close()
    # The claimed row might have run before this transaction's commit: a wake-up of its own was written.
    assert DBTaskResult.objects.filter(task_path=deliver_outbox.module_path, status="READY").count() == 2


@pytest.mark.django_db(transaction=True)
def test_emitting_outside_a_transaction_is_refused(company):
    with pytest.raises(RuntimeError):
        outbox.emit("tests.order.confirmed", {}, company_id=company.pk)


@pytest.mark.django_db
def test_failures_back_off_exponentially_until_the_delivery_is_failed(recorder, company):
    recorder.failures = outbox.MAX_ATTEMPTS
    event = outbox.emit("tests.order.confirmed", {"order_id": 7}, company_id=company.pk)
    now = timezone.now()
    waits = []

    for _attempt in range(outbox.MAX_ATTEMPTS):
        assert outbox.deliver_due(now=now) == 0
        [delivery] = _deliveries(event)
        waits.append(delivery.next_attempt_at - now)
        assert outbox.deliver_due(now=now + waits[-1] - timedelta(seconds=1)) == 0  # not due yet
        now = delivery.next_attempt_at

    [delivery] = _deliveries(event)
    assert waits[:4] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert max(waits) == outbox.BACKOFF_MAX
    assert (delivery.state, delivery.attempts) == (State.FAILED, outbox.MAX_ATTEMPTS)
    assert "SEFAZ did not answer" in delivery.last_error
    assert outbox.deliver_due(now=now + timedelta(days=30)) == 0  # failed waits for a person

    assert outbox.retry(delivery.pk, actor=Actor(None, Origin.CLI), company_id=company.pk)
    assert outbox.deliver_due() == 1
    assert [e.pk for e in recorder.seen] == [event.pk]


@pytest.mark.django_db
def test_an_atomic_handler_that_fails_leaves_none_of_its_writes(company):
    def half_done(event):
        DocumentEvent.objects.create(document_type="tests.half", document_id=event.pk, to_state="x", origin="task")
        raise ValueError("second step failed")

    outbox.register("tests.half", half_done, name="tests.half")
    try:
        event = outbox.emit("tests.half", {}, company_id=company.pk)
        outbox.deliver_due()
    finally:
        outbox.unregister("tests.half")

    assert not DocumentEvent.objects.filter(document_type="tests.half").exists()
    assert _deliveries(event)[0].state == State.PENDING


@pytest.mark.django_db
def test_each_handler_of_an_event_is_delivered_and_retried_on_its_own(recorder, company):
    other = Recorder()
    other.failures = 1
    outbox.register("tests.order.confirmed", other, name="tests.other")
    try:
        event = outbox.emit("tests.order.confirmed", {}, company_id=company.pk)
        assert outbox.deliver_due() == 1
        assert outbox.deliver_due(now=timezone.now() + timedelta(minutes=1)) == 1
    finally:
        outbox.unregister("tests.other")

    assert len(recorder.seen) == 1 and len(other.seen) == 1
    assert [(d.handler, d.attempts) for d in _deliveries(event)] == [("tests.recorder", 1), ("tests.other", 2)]


@pytest.mark.django_db
def test_a_delivery_whose_handler_is_gone_fails_at_once(company):
    outbox.register("tests.gone", lambda event: None, name="tests.gone")
    event = outbox.emit("tests.gone", {}, company_id=company.pk)
    outbox.unregister("tests.gone")

    outbox.deliver_due()

    assert _deliveries(event)[0].state == State.FAILED


@pytest.mark.django_db
def test_delivered_events_are_forgotten_after_thirty_days(recorder, company):
    outbox.emit("tests.order.confirmed", {}, company_id=company.pk)
    outbox.deliver_due()

    assert outbox.purge_delivered(now=timezone.now() + timedelta(days=29)) == 0
    assert outbox.purge_delivered(now=timezone.now() + timedelta(days=31)) == 2  # the event and its delivery


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _run_worker(tmp_path, **extra_env) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "RETAGUARDA_DATA_DIR": str(tmp_path), **extra_env}
    return subprocess.Popen(
        [sys.executable, "-m", outbox_worker.__name__], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_delivers_again_and_the_handler_applies_once(tmp_path, company):
    outbox.register(outbox_worker.EVENT_TYPE, outbox_worker.apply_once, name=outbox_worker.HANDLER_NAME)
    try:
        with transaction.atomic():
            event = outbox.emit(outbox_worker.EVENT_TYPE, {}, company_id=company.pk)
    finally:
        outbox.unregister(outbox_worker.HANDLER_NAME)
    started = tmp_path / "started"

    worker = _run_worker(tmp_path, OUTBOX_TEST_HANG="1", OUTBOX_TEST_STARTED=str(started))
    deadline = time.monotonic() + 60
    while not started.exists():
        assert worker.poll() is None, worker.stdout.read().decode()
        assert time.monotonic() < deadline, "the worker never started the delivery"
        time.sleep(0.1)
    worker.send_signal(signal.SIGKILL)  # mid-delivery: the handler's row is written, not committed
    worker.wait(timeout=30)

    [delivery] = _deliveries(event)
    assert (delivery.state, delivery.attempts) == (State.RUNNING, 1)
    assert not DocumentEvent.objects.filter(document_type="tests.outbox").exists()

    time.sleep(outbox_worker.LEASE.total_seconds() + 0.5)  # the dead worker's lease runs out
    deliver_outbox.enqueue()  # what the worker's periodic beat does
    again = _run_worker(tmp_path)
    output = again.communicate(timeout=120)[0].decode()

    assert again.returncode == 0, output
    [delivery] = _deliveries(event)
    assert (delivery.state, delivery.attempts) == (State.DONE, 2), output
    assert DocumentEvent.objects.filter(document_type="tests.outbox", document_id=event.pk).count() == 1
