"""Start and stop the servers under test, and read their workers' memory.

The app is started the README's way (`retaguarda serve --no-worker`), so it runs the production
server with its default workers and threads. The floor is a bare Django project served by the same
gunicorn command line (see `gunicorn_argv`, kept equal to `retaguarda serve`'s).
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_argv(app: str, port: int, database_url: str) -> list[str]:
    """The command line `retaguarda serve` runs, for another WSGI application, with its default
    processes and threads for that database (`retaguarda.core.serving`)."""
    from retaguarda.core.serving import web_processes_and_threads

    workers, threads = web_processes_and_threads("sqlite" if database_url.startswith("sqlite") else "postgresql")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--no-control-socket",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree = _children()
    found, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


def cpu_seconds(pids) -> float:
    """User + system CPU the processes have used so far (a process gone since counts nothing)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def database_backends(connection) -> list[int]:
    """The PostgreSQL server processes serving the bench database's other connections (the servers'), when
    the server runs on this machine; none on SQLite, whose work is in the server's own processes."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall() if Path(f"/proc/{row[0]}").exists()]


class CpuMeter:
    """The CPU a server's processes (the gunicorn master and workers) and the database's processes serving it
    spend during a load, per completed request: on a shared machine the throughput follows whatever else runs,
    while the CPU a request costs holds (docs/request-cost.md). Start it after a warm-up, so every worker
    thread holds its database connection; a connection opened during the load counts from its start."""

    def __init__(self, server, connection):
        self.connection = connection
        self.pids = [server.process.pid, *descendants(server.process.pid)]
        self.start = self.read()

    def read(self) -> tuple[dict[int, float], dict[int, float]]:
        return (
            {pid: cpu_seconds([pid]) for pid in self.pids},
            {pid: cpu_seconds([pid]) for pid in database_backends(self.connection)},
        )

    def per_request_ms(self, requests: int) -> tuple[float, float]:
        """(the server's, the database's) CPU per request, in ms, since the meter started."""
        spent = []
        for before, after in zip(self.start, self.read(), strict=True):
            seconds = sum(value - before.get(pid, 0.0) for pid, value in after.items())
            spent.append(round(1000 * seconds / max(requests, 1), 2))
        return spent[0], spent[1]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path
    _log: object = None
    memory_at_stop: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def worker_pids(self) -> list[int]:
        """gunicorn workers: processes whose parent is the gunicorn master."""
        pids = [self.process.pid, *descendants(self.process.pid)]
        masters = [p for p in pids if "gunicorn" in _cmdline(p) and "gunicorn" not in _cmdline(_ppid(p))]
        workers = []
        for master in masters:
            workers.extend(descendants(master))
        return workers

    def worker_memory(self) -> dict:
        """Peak and current RSS of each worker, in MiB."""
        per_worker = []
        for pid in self.worker_pids():
            mem = memory_kib(pid)
            if mem:
                per_worker.append(
                    {
                        "pid": pid,
                        "peak_mib": round(mem.get("VmHWM", 0) / 1024, 1),
                        "rss_mib": round(mem.get("VmRSS", 0) / 1024, 1),
                    }
                )
        return {
            "workers": per_worker,
            "max_peak_mib": max((w["peak_mib"] for w in per_worker), default=None),
        }

    def wait_ready(self, path: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited early; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200 and len(self.worker_pids()) >= 1:
                    return
                last = f"HTTP {resp.status}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} server not ready after {timeout}s ({last}); see {self.log_path}")

    def warm(self, path: str, requests: int = 20) -> None:
        """Touch each worker so imports and connections are made before measuring."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        for _ in range(requests):
            conn.request("GET", path)
            conn.getresponse().read()
        conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.memory_at_stop = self.worker_memory()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _spawn(name: str, argv: list[str], env: dict, log_dir: Path, port: int) -> Server:
    log_path = log_dir / f"{name}-server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed by Server.stop
    process = subprocess.Popen(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(name=name, port=port, process=process, log_path=log_path, _log=log)


def start_app(env: dict, log_dir: Path) -> Server:
    """`retaguarda serve --no-worker` on a free port, as the README starts it."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "retaguarda.config.cli",
        "serve",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = _spawn("app", argv, env, log_dir, port)
    _ready_or_stopped(server, "/api/v1/health", 180.0)  # the first start imports every app: 95 s at a load of 17
    return server


def start_floor(env: dict, log_dir: Path) -> Server:
    """The bare Django floor (bench.floor) behind the same gunicorn command line."""
    port = free_port()
    from retaguarda.core.serving import web_environment

    # The allocator settings `retaguarda serve` gives its web processes, so the memory floor is like for like.
    env = web_environment({**env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"})
    server = _spawn(
        "floor",
        gunicorn_argv("bench.floor.wsgi:application", port, env.get("DATABASE_URL", "sqlite")),
        env,
        log_dir,
        port,
    )
    _ready_or_stopped(server, "/floor/ping", 90.0)
    return server


def _ready_or_stopped(server: Server, path: str, timeout: float) -> None:
    """A server not ready in time is stopped: left running, it would hold the bench database's
    connections, and the next run could not drop the database."""
    try:
        server.wait_ready(path, timeout=timeout)
    except RuntimeError:
        server.stop()
        raise
