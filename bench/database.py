"""A fresh database for each run, configured through the same environment the app reads.

PostgreSQL: drop and create `bench_retaguarda` (only databases whose name starts with `bench_` are ever
dropped). SQLite: a new file in the run's data folder. Then Django is set up with the app's own
settings and migrated.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/bench_retaguarda"


@dataclass
class Target:
    vendor: str  # "sqlite" | "postgres"
    url: str
    data_dir: Path

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def with_name(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + name))


def guard_name(name: str) -> None:
    """The bench drops only databases with `bench` as a word of their name (bench_x, x_bench, x_bench_run)."""
    if "bench" not in name.split("_"):
        raise SystemExit(
            f"refusing to drop database {name!r}: the bench only owns databases with 'bench' in their name"
        )


def pg_admin_connect(target: Target):
    import psycopg

    return psycopg.connect(target.with_name("postgres"), autocommit=True)


def recreate_pg_database(target: Target, name: str) -> None:
    guard_name(name)
    with pg_admin_connect(target) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(target: Target, name: str) -> None:
    guard_name(name)
    with pg_admin_connect(target) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(vendor: str, data_dir: Path, pg_url: str | None = None, *, empty: bool = True) -> Target:
    """Make an empty database (unless `empty` is false: a snapshot is copied in) and point the environment
    at it (before Django is set up)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if vendor == "postgres":
        target = Target("postgres", pg_url or os.environ.get("BENCH_PG_URL") or DEFAULT_PG_URL, data_dir)
        if empty:
            recreate_pg_database(target, target.name)
    elif vendor == "sqlite":
        path = data_dir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        target = Target("sqlite", f"sqlite:///{path}", data_dir)
    else:
        raise SystemExit(f"unknown database {vendor!r}")
    os.environ["DATABASE_URL"] = target.url
    os.environ["RETAGUARDA_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    os.environ["DJANGO_SETTINGS_MODULE"] = "retaguarda.config.settings"
    return target


def setup_django() -> float:
    """django.setup() and migrate; returns the seconds migrate took."""
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - started


def server_env(target: Target) -> dict[str, str]:
    """The environment a server subprocess needs to reach the same database."""
    return {
        **os.environ,
        "DATABASE_URL": target.url,
        "RETAGUARDA_DATA_DIR": str(target.data_dir),
        "LOG_LEVEL": "WARNING",
    }
