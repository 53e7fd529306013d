"""A web worker starts without the heavy libraries that only a document needs: fpdf2 with fontTools and
Pillow (about 50 MiB of a worker's resident memory; issue 11 keeps a worker under 150 MiB) loads for the
first PDF, the NF-e bindings for the first note; and on SQLite without psycopg (9 MiB of a worker), which
only PostgreSQL needs. Each case names the library's modules, what the worker imports at start, the
import that must bring them in (so the names are the right ones) and the database it runs on."""

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
import django
django.setup()
from django.urls import resolve
import {at_start}
resolve("/")
heavy = set(json.loads(sys.argv[1]))
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & heavy)
{first_use}
print(json.dumps([loaded, sorted({{m.split(".")[0] for m in sys.modules}} & heavy)]))
"""

CASES = {
    "pdf": (
        ("fpdf", "fontTools", "PIL"),
        "retaguarda.config.api, retaguarda.sales.pdf, retaguarda.purchasing.pdf",
        "from fpdf import FPDF",
        None,
    ),
    "nfe": (
        ("nfelib", "xsdata", "brazilfiscalreport", "signxml"),
        "retaguarda.config.api, retaguarda.fiscal.handlers, retaguarda.fiscal.views, retaguarda.fiscal.rules",
        "from retaguarda.fiscal.xml import builder",
        None,
    ),
    "psycopg on SQLite": (
        ("psycopg", "psycopg_binary", "psycopg_c"),
        "retaguarda.config.api, retaguarda.core.bulk_insert, retaguarda.sales.services",
        "import psycopg.types.json",
        "sqlite:///{data}/startup.sqlite3",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_app_starts_without_a_library_only_documents_need(case, tmp_path):
    heavy, at_start, first_use, database = CASES[case]
    probe = _PROBE.format(at_start=at_start, first_use=first_use)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "retaguarda.config.settings", "RETAGUARDA_DATA_DIR": str(tmp_path)}
    if database:
        env["DATABASE_URL"] = database.format(data=tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(heavy)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded_at_start, loaded_after_first_use = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded_at_start == []
    assert loaded_after_first_use  # the first document brings at least one of them in
