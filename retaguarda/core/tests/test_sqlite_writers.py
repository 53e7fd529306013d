"""SQLite writers take turns in arrival order: in a process (FIFO), between processes (a file lock)."""

import threading
import time

import pytest
from django.db import connection, transaction

from retaguarda.core.sqlite.writers import FifoLock, WriteQueue, queue_for


def _wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_waiting_threads_get_the_lock_in_the_order_they_asked():
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order = []

    def writer(n):
        assert lock.acquire(timeout=5)
        order.append(n)
        lock.release()

    threads = []
    for n in range(6):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        _wait_until(lambda n=n: len(lock._waiters) == n + 1)  # queued before the next one asks
        threads.append(t)
    lock.release()
    for t in threads:
        t.join(5)

    assert order == [0, 1, 2, 3, 4, 5]


def test_a_waiter_that_times_out_leaves_the_queue():
    lock = FifoLock()
    lock.acquire(timeout=1)

    assert lock.acquire(timeout=0.05) is False
    assert not lock._waiters
    lock.release()
    assert lock.acquire(timeout=0.05) is True


def test_another_process_holding_the_file_lock_makes_a_writer_wait(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    # Two queues on one file behave as two processes would: each has its own open file.
    here, elsewhere = WriteQueue(path), WriteQueue(path)
    assert elsewhere.acquire(timeout=1)

    assert here.acquire(timeout=0.05) is False
    elsewhere.release()
    assert here.acquire(timeout=1) is True
    here.release()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the write queue is SQLite's")
@pytest.mark.django_db(transaction=True)
def test_a_transaction_holds_its_turn_from_begin_to_commit():
    queue = queue_for(connection.settings_dict["NAME"])

    with transaction.atomic():
        assert queue.threads._held
    assert not queue.threads._held

    with pytest.raises(RuntimeError), transaction.atomic():
        assert queue.threads._held
        raise RuntimeError("rolled back")
    assert not queue.threads._held


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the write queue is SQLite's")
@pytest.mark.django_db(transaction=True)
def test_every_threads_write_transaction_runs_on_the_process_write_connection():
    """Handed over with the turn, so no thread reads its pages again after another's write; outside a
    transaction each thread keeps its own connection."""
    from django.db import connections

    queue = queue_for(connection.settings_dict["NAME"])
    seen = []

    def write():
        conn = connections["default"]
        conn.ensure_connection()
        own = conn.connection
        with transaction.atomic():
            seen.append(conn.connection)
        seen.append(conn.connection is own)
        conn.close()

    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError("rolled back")
    for _n in range(2):
        t = threading.Thread(target=write)
        t.start()
        t.join(5)

    assert seen[0] is seen[2] is queue.writer
    assert seen[1] is seen[3] is True
    assert not queue.writer.in_transaction  # the rolled-back one left nothing open on it
