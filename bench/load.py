"""A bounded HTTP load client: N threads, each with one keep-alive connection, for a fixed time.

Closed loop by default (each client sends its next request when the previous answer arrives, which
measures the most the server gives). With `rate`, requests follow a fixed schedule shared by the
clients and latency is counted from the scheduled send time, so a server falling behind shows up
in the percentiles instead of silently slowing the client down (no coordinated omission).
"""

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.stats import latency_summary

MAX_CLIENTS = 64
MAX_SECONDS = 120.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    tag: object = None  # passed back to `classify`, e.g. what was asked for


# classify(request, status, body) -> "ok" | "refused" | "error"; "refused" is an expected business
# answer (say 409 insufficient stock), not an error.
Classifier = Callable[[Request, int, bytes], str]


def default_classify(request: Request, status: int, body: bytes) -> str:
    return "ok" if 200 <= status < 300 else "error"


@dataclass
class LoadResult:
    clients: int
    seconds: float
    rate: float | None
    ok: int = 0
    refused: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return self.ok + self.refused + self.errors

    def summary(self) -> dict:
        """Figures for the report: answered requests per second, latency percentiles, outcomes."""
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "target_rate": self.rate,
            "requests": self.completed,
            "ok": self.ok,
            "refused": self.refused,
            "errors": self.errors,
            "req_per_s": round(self.completed / self.seconds, 1) if self.seconds else None,
            "ok_per_s": round(self.ok / self.seconds, 1) if self.seconds else None,
            **latency_summary(self.latencies),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "error_samples": self.error_samples[:5],
        }


def run_load(
    host: str,
    port: int,
    next_request: Callable[[int, int], Request],
    *,
    clients: int,
    seconds: float,
    rate: float | None = None,
    classify: Classifier = default_classify,
    timeout: float = 30.0,
) -> LoadResult:
    """Drive `clients` threads for `seconds`; `next_request(client, n)` builds each client's n-th request."""
    if not 1 <= clients <= MAX_CLIENTS:
        raise ValueError(f"clients must be between 1 and {MAX_CLIENTS}")
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be between 0 and {MAX_SECONDS}")
    result = LoadResult(clients=clients, seconds=seconds, rate=rate)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    start_box: list[float] = []

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        local_lat: list[float] = []
        local: Counter = Counter()
        statuses: Counter = Counter()
        samples: list[str] = []
        barrier.wait()
        start = start_box[0]
        deadline = start + seconds
        n = 0
        while True:
            if rate:
                scheduled = start + (n * clients + k) / rate
                if scheduled >= deadline:
                    break
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                t0 = scheduled
            else:
                t0 = time.perf_counter()
                if t0 >= deadline:
                    break
            req = next_request(k, n)
            n += 1
            try:
                conn.request(req.method, req.path, body=req.body, headers=req.headers)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                outcome = classify(req, status, body)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                status, outcome, body = 0, "error", repr(exc).encode()
            local_lat.append(time.perf_counter() - t0)
            local[outcome] += 1
            statuses[status] += 1
            if outcome == "error" and len(samples) < 5:
                samples.append(f"{req.method} {req.path} -> {status}: {body[:300].decode(errors='replace')}")
        conn.close()
        with lock:
            result.ok += local["ok"]
            result.refused += local["refused"]
            result.errors += local["error"]
            result.statuses.update(statuses)
            result.latencies.extend(local_lat)
            result.error_samples.extend(samples)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    start_box.append(time.perf_counter())
    barrier.wait()
    for t in threads:
        t.join(seconds + timeout + 5)
    # Requests in flight at the deadline finish after it: count the real elapsed time.
    result.seconds = time.perf_counter() - start_box[0]
    return result
