"""Scenarios and what they report.

A scenario is a function `run(ctx) -> Outcome`, registered under a name in run order. One whose
capability has not landed yet is registered with `needs=` and reports "not landed" instead of running,
so the table shows it honestly.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

OK = "ok"
SKIPPED = "skipped"
NOT_LANDED = "not landed"
FAILED = "failed"


@dataclass
class Figure:
    """One measured figure, with the limits it is compared to (same run) and an optional target.

    `higher_is_better` says how to read it: throughputs are shown as a fraction of their references,
    times as a multiple of theirs.
    """

    label: str
    value: float | None
    unit: str
    higher_is_better: bool = False
    floor: float | None = None  # the bare stack (or one hand-written SQL) doing the same work
    db_limit: float | None = None  # the database's own limit (pgbench -N / single-row commits)
    target: str = ""
    detail: str = ""

    @property
    def vs_floor(self) -> float | None:
        return _ratio(self.value, self.floor)

    @property
    def vs_db(self) -> float | None:
        return _ratio(self.value, self.db_limit)


def _ratio(value, reference):
    if value is None or not reference:
        return None
    return value / reference


@dataclass
class Outcome:
    status: str = OK
    note: str = ""
    figures: list[Figure] = field(default_factory=list)
    errors: int = 0  # failed requests or calls: a non-zero count fails the run (CI smoke)
    oversells: int = 0  # a non-zero count fails the run
    details: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        for fig, raw in zip(self.figures, data["figures"], strict=True):
            raw["vs_floor"] = fig.vs_floor
            raw["vs_db"] = fig.vs_db
        return data


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable | None
    summary: str
    needs: str = ""  # set when the capability it measures has not landed


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, summary: str):
    """Decorator registering `run(ctx) -> Outcome` under `name`."""

    def register(fn):
        SCENARIOS[name] = Scenario(name, fn, summary)
        return fn

    return register


def pending(name: str, summary: str, needs: str) -> None:
    """Register a scenario that waits on another app."""
    SCENARIOS[name] = Scenario(name, None, summary, needs)
