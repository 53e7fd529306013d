"""Starting the application does not load the NF-e bindings: only building or sending a note does."""

import json
import os
import subprocess
import sys

HEAVY = ("nfelib", "xsdata", "brazilfiscalreport", "signxml")

_PROBE = """
import json, sys
import django
django.setup()
from django.urls import resolve
import retaguarda.config.api, retaguarda.fiscal.handlers, retaguarda.fiscal.views, retaguarda.fiscal.rules
resolve("/")
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
from retaguarda.fiscal.xml import builder  # the first note: now they load
print(json.dumps([loaded, "nfelib" in sys.modules]))
"""


def test_the_app_starts_without_nfelib_and_loads_it_for_the_first_note(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "retaguarda.config.settings", "RETAGUARDA_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded_at_start, loaded_for_a_note = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded_at_start == []
    assert loaded_for_a_note
