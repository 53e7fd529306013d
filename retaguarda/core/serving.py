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


# glibc's allocator for the web processes (measured on SQLite's one process of 8 threads, a sign-in, 1,200
# API reads and a second sign-in): each thread's own arena kept what it freed, and a freed 19 MiB Argon2
# buffer raised the mmap threshold so the next one came from (and stayed in) an arena, so every sign-in
# added 19 MiB. Two arenas and a fixed threshold: peak 172 MiB instead of 181, RSS back after a sign-in.
MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}


def web_environment(env: dict) -> dict:
    """`env` for the web server's processes, with the allocator settings above unless already chosen."""
    return {**MALLOC_ENV, **env}
