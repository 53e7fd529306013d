"""`retaguarda serve`'s processes and threads: one process on SQLite (its writers queue in order), two on PostgreSQL."""

from retaguarda.core.serving import web_processes_and_threads


def test_sqlite_runs_one_process_of_eight_threads_and_postgresql_two_of_four(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    assert web_processes_and_threads("retaguarda.core.sqlite") == (1, 8)
    assert web_processes_and_threads("django.db.backends.postgresql") == (2, 4)


def test_the_environment_still_chooses(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "2")
    assert web_processes_and_threads("retaguarda.core.sqlite") == (3, 2)
