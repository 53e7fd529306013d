import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from retaguarda.core import periodic


@task
def nightly_check():
    return "ok"


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_once_per_interval(monkeypatch):
    monkeypatch.setattr(periodic, "REGISTRY", {})
    periodic.register(nightly_check, every=timedelta(hours=1))
    now = timezone.now()
    assert periodic.enqueue_due(now) == [nightly_check.module_path]
    assert periodic.enqueue_due(now + timedelta(minutes=10)) == []  # a second worker, too soon
    assert periodic.enqueue_due(now + timedelta(hours=1, seconds=1)) == [nightly_check.module_path]
    assert DBTaskResult.objects.filter(task_path=nightly_check.module_path).count() == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_the_production_server_and_worker_on_the_embedded_database(tmp_path):
    """The README's `serve`: migrates a fresh SQLite database, loads the demo, answers on the printed URL."""
    port = _free_port()
    env = {**os.environ, "RETAGUARDA_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "retaguarda.config.cli", "serve", "--demo", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health, output = None, ""
        # A guard against a hang, not a timing: migrate plus the demo take about 70 s on an idle 2-core
        # machine and over three minutes when other suites share it.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
                    health = json.load(response)
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert health is not None, proc.stdout.read() if proc.poll() is not None else "server did not answer"
        assert health["database"] and health["migrations_applied"]
        # the worker beats within its first cycle
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
                if json.load(response)["worker_heartbeat_age_seconds"] is not None:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the worker never reported")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/entrar/", timeout=5) as response:
            assert "Retaguarda" in response.read().decode()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert f"http://localhost:{port}/" in output
    assert "demo1234" in output
    assert (tmp_path / "retaguarda.sqlite3").exists()


def test_serve_on_a_postgresql_database_that_does_not_exist_says_createdb_instead_of_a_traceback(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs a PostgreSQL server (DATABASE_URL)")
    missing = url.rsplit("/", 1)[0] + "/retaguarda_never_created"
    env = {**os.environ, "RETAGUARDA_DATA_DIR": str(tmp_path), "DATABASE_URL": missing}

    done = subprocess.run(
        [sys.executable, "-m", "retaguarda.config.cli", "serve", "--no-worker", "--port", str(_free_port())],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "O banco de dados retaguarda_never_created não existe" in done.stderr
    assert "createdb" in done.stderr and "retaguarda_never_created" in done.stderr
