"""Write a run's result: a JSON file in bench/results/ and a section of BENCHMARKS.md per database."""

import json
import re
from pathlib import Path

from bench.registry import NOT_LANDED, OK, Figure, Outcome

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
DB_TITLES = {"postgres": "PostgreSQL", "sqlite": "SQLite"}


def write_json(run: dict, directory: Path = RESULTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = run["started_at"].replace(":", "").replace("-", "")[:15]
    path = directory / f"{stamp}-{run['database']['vendor']}.json"
    path.write_text(json.dumps(run, indent=2, default=str, ensure_ascii=False) + "\n")
    return path


def number(value: float | None, digits: int | None = None) -> str:
    """1234.5 -> '1,234.5'; picks fewer decimals for larger numbers."""
    if value is None:
        return "—"
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"


def times(r: float | None) -> str:
    """A ratio: two decimals, or two significant digits below 0.1 (0.0014x rather than 0.00x)."""
    if r is None:
        return "—"
    return f"{r:.2f}x" if r >= 0.1 else f"{r:.2g}x"


def _figure_row(name: str, fig: Figure, status: str) -> str:
    unit = f" {fig.unit}" if fig.unit else ""
    digits = 0 if isinstance(fig.value, int) else None
    cells = [
        name,
        fig.label + (f" ({fig.detail})" if fig.detail else ""),
        number(fig.value, digits) + unit,
        number(fig.floor, digits) + unit if fig.floor is not None else "—",
        times(fig.vs_floor),
        number(fig.db_limit) + " tx/s" if fig.db_limit is not None else "—",
        times(fig.vs_db),
        fig.target or "",
        status,
    ]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def _status(outcome: Outcome) -> str:
    if outcome.status == OK:
        bad = []
        if outcome.errors:
            bad.append(f"{outcome.errors} errors")
        if outcome.oversells:
            bad.append(f"{outcome.oversells} oversells")
        return "**" + ", ".join(bad) + "**" if bad else "ok"
    if outcome.status == NOT_LANDED:
        return f"not landed: {outcome.note}"
    return f"{outcome.status}: {outcome.note}" if outcome.note else outcome.status


def render_section(run: dict, outcomes: dict[str, Outcome]) -> str:
    """The Markdown of one run: a heading, where it ran, the table, the dataset."""
    vendor = run["database"]["vendor"]
    m = run["machine"]
    lines = [
        f"### {DB_TITLES.get(vendor, vendor)}, scale {run['scale']:g}",
        "",
        f"Run {run['started_at']} · commit `{m['commit']}` · {m['cores']} cores, {m['cpu']}, "
        f"{m['memory_gib']} GiB · {run['database']['version']} · Python {m['python']}, Django {m['django']} · "
        f"load average at start {', '.join(str(x) for x in m['load_average_at_start'])} · "
        f"whole run {number(run['seconds'], 0)} s.",
        "",
        "| scenario | figure | value | floor | vs floor | db limit | vs db limit | target | status |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, outcome in outcomes.items():
        if outcome.figures:
            status = _status(outcome)
            for i, fig in enumerate(outcome.figures):
                lines.append(_figure_row(name if i == 0 else "", fig, status if i == 0 else ""))
        else:
            lines.append(f"| {name} | — | — | — | — | — | — | | {_status(outcome)} |")
    built = run["dataset"]["built"]
    missing = run["dataset"]["missing"]
    lines += [
        "",
        "Dataset (seed {}): ".format(run["seed"])
        + "; ".join(f"{k.replace('_', ' ')} {v['rows']:,} ({v['path']}, {v['seconds']} s)" for k, v in built.items())
        + ".",
    ]
    if missing:
        lines.append("Not built yet: " + "; ".join(f"{k.replace('_', ' ')} ({v})" for k, v in missing.items()) + ".")
    notes = [f"{name}: {o.note}" for name, o in outcomes.items() if o.status == OK and o.note]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    return "\n".join(lines)


def marker(vendor: str, edge: str) -> str:
    return f"<!-- bench:{vendor}:{edge} -->"


def replace_section(document: str, vendor: str, section: str) -> str:
    """Put `section` between this database's markers, or append it (with markers) when absent."""
    begin, end = marker(vendor, "begin"), marker(vendor, "end")
    block = f"{begin}\n{section}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _m: block, document, count=1)
    return document.rstrip("\n") + "\n\n" + block + "\n"


def update_markdown(run: dict, outcomes: dict[str, Outcome], path: Path = BENCHMARKS) -> Path:
    document = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(document, run["database"]["vendor"], render_section(run, outcomes)))
    return path
