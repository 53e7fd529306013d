"""A built dataset kept for later runs: build once (long, no bench lock needed), measure many times.

`--build-only` builds the dataset into the named database and writes `dataset.json` beside the data; a
run with `--from-snapshot DIR` copies that database (PostgreSQL `CREATE DATABASE ... TEMPLATE`, SQLite a
file copy) into its own fresh one and restores the `Dataset` from the manifest, so every measured run
starts from the same untouched rows and only the measuring holds the lock.
"""

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

MANIFEST = "dataset.json"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return out.stdout.strip()


def _plain(obj):
    if obj is None:
        return None
    data = dataclasses.asdict(obj)
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def save(ds, target, migrate_seconds: float) -> Path:
    """Write the manifest of a dataset just built into `target`."""
    path = target.data_dir / MANIFEST
    manifest = {
        "vendor": target.vendor,
        "url": target.url,
        "seed": ds.seed,
        "scale": ds.scale,
        "commit": _git_commit(),
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "migrate_seconds": round(migrate_seconds, 1),
        "company_id": ds.company.pk,
        "user_id": ds.user.pk,
        "password": ds.password,
        "products": ds.products,
        "customers": ds.customers,
        "stock": _plain(ds.stock),
        "finance": _plain(ds.finance),
        "built": ds.built,
        "missing": ds.missing,
    }
    path.write_text(json.dumps(manifest))
    return path


def read(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise SystemExit(f"no {MANIFEST} in {folder}: build one with --build-only first")
    return json.loads(path.read_text())


def copy_database(manifest: dict, target) -> None:
    """Make the run's database a copy of the snapshot's (before Django is set up)."""
    from bench import database

    if manifest["vendor"] != target.vendor:
        raise SystemExit(f"the snapshot is on {manifest['vendor']}, the run on {target.vendor}")
    if target.vendor == "postgres":
        source = manifest["url"].rsplit("/", 1)[1]
        if source == target.name:
            raise SystemExit("the run needs its own database: give --pg-url a name other than the snapshot's")
        database.guard_name(target.name)
        with database.pg_admin_connect(target) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{target.name}" TEMPLATE "{source}"')
    else:
        source = Path(manifest["url"].removeprefix("sqlite:///"))
        dest = Path(target.url.removeprefix("sqlite:///"))
        if source == dest:
            raise SystemExit("the run needs its own SQLite file: give --data-dir another folder than the snapshot's")
        for suffix in ("", "-wal"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{dest}{suffix}")


def restore(manifest: dict):
    """The `Dataset` of the manifest, its objects read back from the (copied) database."""
    from bench.dataset import Dataset
    from retaguarda.access.models import User
    from retaguarda.companies.models import Company

    ds = Dataset(seed=manifest["seed"], scale=manifest["scale"], password=manifest["password"])
    ds.company = Company.objects.get(pk=manifest["company_id"])
    ds.user = User.objects.get(pk=manifest["user_id"])
    ds.products = manifest["products"]
    ds.customers = manifest["customers"]
    ds.built = manifest["built"]
    ds.missing = manifest["missing"]
    if manifest["stock"]:
        from bench.stock import Stock

        ds.stock = Stock(**manifest["stock"])
    if manifest["finance"]:
        from bench.finance import Books

        books = dict(manifest["finance"])
        books["first_day"] = dt.date.fromisoformat(books["first_day"])
        books["last_day"] = dt.date.fromisoformat(books["last_day"])
        ds.finance = Books(**books)
    return ds
