"""The write queue of one SQLite file: writers take turns in the order they asked.

SQLite lets one writer in at a time and makes the others retry with a growing sleep (its busy
handler waits 1, 2, 5 ... 100 ms between attempts). Under load a writer that has slept long loses
to fresh arrivals again and again: throughput holds, but the slowest requests wait about a second.
Queueing writers ourselves before `BEGIN IMMEDIATE` hands the lock over the moment it is free, in
arrival order: first among the threads of a process (a FIFO of waiters), then among processes (an
exclusive `flock` on a file beside the database, which only the head of each process's queue asks
for). The queue never decides correctness: SQLite still serialises writers, and a writer that waits
past the timeout goes ahead and meets SQLite's own busy handler as before.
"""

import fcntl
import os
import threading
import time
from collections import deque


class FifoLock:
    """A lock handed to waiting threads in the order they arrived (threading.Lock makes no promise)."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._mutex:
            try:
                self._waiters.remove(turn)
            except ValueError:
                return True  # handed over between the timeout and now
        return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # stays held: ownership passes to the next waiter
            else:
                self._held = False


class WriteQueue:
    """Turns to write one database file: the process's FIFO, then the file lock shared with other processes."""

    def __init__(self, path: str):
        self.path = path
        self.threads = FifoLock()
        self._fd: int | None = None
        self.writer = None  # the raw connection every write transaction of the process runs on (`base`)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(f"{self.path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout):
            return False
        try:
            fd = self._file()
            pause = 0.0005
            while True:  # flock cannot time out, so another process's turn is polled, with short pauses
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    time.sleep(min(pause, left))
                    pause = min(pause * 2, 0.004)
        except OSError:
            pass
        self.threads.release()
        return False

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()
# Each name as settings give it, resolved once: `realpath` (a system call per path component) was a sixtieth
# of a SQLite reservation's CPU when run at every BEGIN.
_by_name: dict[str, WriteQueue] = {}


def _forget_after_fork() -> None:
    # A forked child must not share the parent's open file (flock belongs to it) nor its thread locks.
    global _queues_lock
    _queues.clear()
    _by_name.clear()
    _queues_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def queue_for(path: str) -> WriteQueue:
    """The one queue of this process for a database file (two names of one file share it)."""
    queue = _by_name.get(path)
    if queue is not None:
        return queue
    real = os.path.realpath(path)
    with _queues_lock:
        queue = _queues.get(real)
        if queue is None:
            queue = _queues[real] = WriteQueue(real)
        _by_name[path] = queue
        return queue
