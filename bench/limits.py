"""The database's own limit: pgbench -N on PostgreSQL, committed single-row transactions on SQLite."""

import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.database import Target, drop_pg_database, recreate_pg_database

PGBENCH_DB = "bench_pgbench"


def pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    return None


def pgbench_tps(target: Target, seconds: float, clients: tuple[int, ...] = (2,)) -> dict:
    """`pgbench -N` (simple updates) TPS in a throwaway database of scale 1, for each client count."""
    binary = pgbench_binary()
    if binary is None:
        raise RuntimeError("pgbench not found")
    url = urlsplit(target.url)
    conn_args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    recreate_pg_database(target, PGBENCH_DB)
    try:
        subprocess.run(
            [binary, *conn_args, "-i", "-s", "1", "-q", PGBENCH_DB], check=True, capture_output=True, timeout=120
        )
        results = {}
        for n in clients:
            out = subprocess.run(
                [
                    binary,
                    *conn_args,
                    "-N",
                    "-c",
                    str(n),
                    "-j",
                    str(min(n, 4)),
                    "-T",
                    str(max(1, round(seconds))),
                    PGBENCH_DB,
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=seconds + 60,
            ).stdout
            match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
            if not match:
                raise RuntimeError(f"could not read pgbench output: {out[-500:]}")
            results[n] = float(match.group(1))
    finally:
        drop_pg_database(target, PGBENCH_DB)
    return {"tps_by_clients": results, "seconds": seconds, "tool": "pgbench -N -s 1"}


def sqlite_commits(directory: Path, seconds: float, init_command: str) -> dict:
    """Single-row INSERT transactions per second, one writer, with the app's pragmas (WAL, synchronous)."""
    path = directory / "bench-limit.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in filter(None, (p.strip() for p in init_command.split(";"))):
            conn.execute(pragma)
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL, at TEXT NOT NULL)")
        count = 0
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            for _ in range(50):
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO t (v, at) VALUES (?, datetime('now'))", (count,))
                conn.execute("COMMIT")
                count += 1
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {
        "tps": count / elapsed,
        "seconds": round(elapsed, 2),
        "pragmas": init_command,
        "tool": "sqlite3 single-row commits",
    }
