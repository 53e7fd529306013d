"""How many gunicorn processes and threads `retaguarda serve` starts (the bench's floor reads it too).

On PostgreSQL two processes of four threads use both cores of a small server. On the embedded SQLite
every write waits for the one writer, and writers queue in arrival order only among the threads of a
process (`core/sqlite/writers.py`); between processes the queue is a file lock polled with short
pauses, which the process that just wrote wins again and again, so the other process's requests wait
far longer (p99 near a second under 8 saturating clients). One process of eight threads keeps the
whole queue in arrival order. `WEB_CONCURRENCY` and `WEB_THREADS` still choose.
"""

import os


def web_processes_and_threads(database_engine: str) -> tuple[int, int]:
    embedded = "sqlite" in database_engine
    workers = int(os.environ.get("WEB_CONCURRENCY") or (1 if embedded else 2))
    threads = int(os.environ.get("WEB_THREADS") or (8 if embedded else 4))
    return workers, threads
