"""`python -m bench [scenario ...] [--db sqlite|postgres] [--scale S] [--quick]`."""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

QUICK_SCALE = 0.01


def parse(argv: list[str]) -> argparse.Namespace:
    from bench.registry import SCENARIOS

    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build a seeded dataset in a fresh database, run the scenarios, report beside the limits.",
        epilog="Scenarios, in run order: " + ", ".join(SCENARIOS),
    )
    parser.add_argument("scenarios", nargs="*", metavar="scenario", help="which to run (default: all)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--scale", type=float, help=f"1 = 10,000 products, 1,000,000 moves (default 1; --quick: {QUICK_SCALE})"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: tiny scale, short loads; fails only on errors/oversells"
    )
    parser.add_argument("--seed", type=int, default=20261)
    parser.add_argument("--clients", type=int, help="concurrent HTTP clients (default 8; --quick: 4)")
    parser.add_argument("--seconds", type=float, help="length of each measured load (default 15; --quick: 3)")
    parser.add_argument(
        "--pg-url",
        help="PostgreSQL URL of the bench database (default: env BENCH_PG_URL or bench_retaguarda on 127.0.0.1)",
    )
    parser.add_argument("--data-dir", type=Path, help="folder for the SQLite files, secret key and server logs")
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument(
        "--build-only",
        action="store_true",
        help="build the dataset and write its manifest (dataset.json in --data-dir), measure nothing: "
        "the long part, which needs no bench lock",
    )
    kept.add_argument(
        "--from-snapshot",
        type=Path,
        metavar="DIR",
        help="copy the dataset built by --build-only (its --data-dir) into this run's own database instead of "
        "building one; --scale and --seed come from the snapshot",
    )
    md = parser.add_mutually_exclusive_group()
    md.add_argument(
        "--markdown",
        dest="markdown",
        action="store_true",
        default=None,
        help="rewrite BENCHMARKS.md (default for a full run; not for --quick or a run of some scenarios)",
    )
    md.add_argument("--no-markdown", dest="markdown", action="store_false")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    if args.clients is not None and not 1 <= args.clients <= 64:
        parser.error("--clients must be between 1 and 64")
    if args.seconds is not None and not 0 < args.seconds <= 120:
        parser.error("--seconds must be between 0 and 120")
    if args.scale is not None and args.scale <= 0:
        parser.error("--scale must be positive")
    if args.scale is None:
        args.scale = QUICK_SCALE if args.quick else 1.0
    if args.clients is None:
        args.clients = 4 if args.quick else 8
    if args.seconds is None:
        args.seconds = 3.0 if args.quick else 15.0
    if args.build_only and args.scenarios:
        parser.error("--build-only runs no scenario")
    if args.markdown is None:
        # A section of BENCHMARKS.md is one run's whole table: a partial run must not replace it.
        args.markdown = not args.quick and not args.scenarios
    return args


def main(argv: list[str] | None = None) -> int:
    # Scenarios import Django lazily; registering them needs no settings.
    from bench import scenarios  # noqa: F401

    args = parse(sys.argv[1:] if argv is None else argv)
    from bench import database

    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    data_dir = args.data_dir or Path(tempfile.gettempdir()) / f"retaguarda-bench-{args.db}"
    manifest = None
    if args.from_snapshot:
        from bench import snapshot

        manifest = snapshot.read(args.from_snapshot)
        if args.db == "sqlite" and data_dir.resolve() == args.from_snapshot.resolve():
            raise SystemExit("the run needs its own SQLite file: give --data-dir another folder than the snapshot's")
        args.scale, args.seed = manifest["scale"], manifest["seed"]
    print(f"bench: {args.db}, scale {args.scale:g}{' (quick)' if args.quick else ''}, data in {data_dir}", flush=True)
    target = database.prepare(args.db, data_dir, args.pg_url, empty=manifest is None)
    if manifest is not None:
        copied = time.perf_counter()
        snapshot.copy_database(manifest, target)
        print(f"  copied the snapshot of {manifest['built_at']} in {time.perf_counter() - copied:.1f} s", flush=True)
    migrate_seconds = database.setup_django()
    print(f"  migrated in {migrate_seconds:.1f} s", flush=True)
    if manifest is not None:
        # The run's own migrate was a check (or a catch-up); the snapshot's is what an empty database costs.
        migrate_seconds = manifest["migrate_seconds"]
    if args.build_only:
        return _build_only(args, target, migrate_seconds)
    from bench import machine

    return _run(args, target, started_at, started, migrate_seconds, machine.describe(), manifest)


def _build_only(args, target, migrate_seconds: float) -> int:
    from bench import dataset, snapshot

    print("dataset:", flush=True)
    ds = dataset.build(args.seed, args.scale, log=lambda m: print(m, flush=True))
    print(f"snapshot: {snapshot.save(ds, target, migrate_seconds)}", flush=True)
    return 0


def _db_version(vendor: str) -> str:
    from django.db import connection

    if vendor == "postgres":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            return "PostgreSQL " + cur.fetchone()[0].split()[0]
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def _run(args, target, started_at, started, migrate_seconds, host: dict, manifest: dict | None = None) -> int:
    from bench import dataset, report, snapshot
    from bench.context import RunContext
    from bench.registry import FAILED, NOT_LANDED, SCENARIOS, Outcome

    ctx = RunContext(
        target=target, scale=args.scale, quick=args.quick, seed=args.seed, clients=args.clients, seconds=args.seconds
    )
    outcomes: dict[str, Outcome] = {}
    if manifest is None:
        print("dataset:", flush=True)
        ctx.dataset = dataset.build(args.seed, args.scale, log=lambda m: print(m, flush=True))
    else:
        ctx.dataset = snapshot.restore(manifest)
    wanted = args.scenarios or list(SCENARIOS)
    try:
        for name, sc in SCENARIOS.items():
            if name not in wanted:
                continue
            if sc.run is None:
                outcomes[name] = Outcome(status=NOT_LANDED, note=sc.needs)
                print(f"{name}: not landed ({sc.needs})", flush=True)
                continue
            print(f"{name}:", flush=True)
            t0 = time.perf_counter()
            try:
                outcome = sc.run(ctx)
            except Exception as exc:  # one broken scenario must not hide the others' figures
                traceback.print_exc()
                outcome = Outcome(status=FAILED, note=f"{type(exc).__name__}: {exc}"[:300])
            outcome.seconds = round(time.perf_counter() - t0, 1)
            outcomes[name] = outcome
            if outcome.status != "ok":
                print(f"  {outcome.status}: {outcome.note}", flush=True)
    finally:
        ctx.stop_server()

    run = {
        "started_at": started_at.isoformat().replace("+00:00", "Z"),
        "seconds": round(time.perf_counter() - started, 1),
        "scale": args.scale,
        "quick": args.quick,
        "seed": args.seed,
        "clients": args.clients,
        "load_seconds": args.seconds,
        "database": {
            "vendor": target.vendor,
            "version": _db_version(target.vendor),
            "migrate_seconds": round(migrate_seconds, 1),
        },
        "machine": host,
        "dataset": {"counts": dataset.counts(args.scale), "built": ctx.dataset.built, "missing": ctx.dataset.missing},
        "limits": ctx.limits,
        "scenarios": {name: o.to_json() for name, o in outcomes.items()},
    }
    path = report.write_json(run)
    print(f"result: {path}", flush=True)
    if args.markdown:
        print(f"markdown: {report.update_markdown(run, outcomes)}", flush=True)
    failures = [f"{n}: {o.status} {o.note}" for n, o in outcomes.items() if o.status == FAILED]
    failures += [f"{n}: {o.errors} errors" for n, o in outcomes.items() if o.errors]
    failures += [f"{n}: {o.oversells} oversells" for n, o in outcomes.items() if o.oversells]
    print(f"done in {run['seconds']:.0f} s", flush=True)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retaguarda.config.settings")
    sys.exit(main())
