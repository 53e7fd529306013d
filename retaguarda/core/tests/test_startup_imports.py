"""A web worker starts without the PDF library: fpdf2 with fontTools and Pillow is about 50 MiB of a
worker's resident memory (issue 11 keeps a worker under 150 MiB), and only a PDF needs it."""

import json
import os
import subprocess
import sys

HEAVY = ("fpdf", "fontTools", "PIL")

_PROBE = """
import json, sys
import django
django.setup()
from django.urls import resolve
import retaguarda.config.api, retaguarda.sales.pdf, retaguarda.purchasing.pdf
resolve("/")
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
from fpdf import FPDF  # the probe itself loads it: the names above are the right ones
print(json.dumps([loaded, "fontTools" in sys.modules]))
"""


def test_the_app_starts_without_the_pdf_library(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "retaguarda.config.settings", "RETAGUARDA_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded_at_start, loaded_by_fpdf = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded_at_start == []
    assert loaded_by_fpdf
