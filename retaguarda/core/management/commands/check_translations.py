"""Fail when a pt_BR catalog is behind the code: a string missing or untranslated, or a stale .mo.

For every app with a `locale/` folder it extracts the messages again (Django's makemessages, on a
copy of the package) and compares them with the committed catalog, then compiles the committed
`.po` and compares it with the committed `.mo`.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

PACKAGE = Path(__file__).resolve().parents[3]
_ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')
_CONT = re.compile(r'^"(.*)"$')


def read_po(path: Path) -> dict[tuple[str, str], list[str]]:
    """{(context, msgid): [msgstr, ...]} for the active (non-obsolete, non-fuzzy) entries."""
    entries: dict[tuple[str, str], list[str]] = {}
    current: dict[str, str] = {}
    key = None
    fuzzy = False

    def flush():
        nonlocal current, fuzzy
        if current.get("msgid"):
            strs = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries[(current.get("msgctxt", ""), current["msgid"])] = [] if fuzzy else strs
        current, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
            key = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif m := _ENTRY.match(line):
            if m.group(1) in ("msgctxt", "msgid") and "msgstr" in current:
                flush()
            key = m.group(1)
            current[key] = m.group(2)
        elif (m := _CONT.match(line)) and key:
            current[key] += m.group(1)
    flush()
    return entries


class Command(BaseCommand):
    help = "Check that every app's pt_BR catalog covers its strings, is translated, and is compiled."

    def handle(self, **options):
        problems: list[str] = []
        apps = sorted(p.parent.parent.parent.parent for p in PACKAGE.glob("*/locale/pt_BR/LC_MESSAGES/django.po"))
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "retaguarda"
            shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
            for app in apps:
                rel = app.relative_to(PACKAGE)
                committed_po = app / "locale/pt_BR/LC_MESSAGES/django.po"
                committed = read_po(committed_po)
                fresh_dir = copy / rel
                cwd = os.getcwd()
                try:
                    os.chdir(fresh_dir)
                    call_command("makemessages", locale=["pt_BR"], verbosity=0, no_obsolete=True)
                finally:
                    os.chdir(cwd)
                fresh = read_po(fresh_dir / "locale/pt_BR/LC_MESSAGES/django.po")
                for _ctx, msgid in sorted(set(fresh) - set(committed)):
                    problems.append(f"{rel}: not in the catalog: {msgid!r}")
                for (ctx, msgid), strs in sorted(committed.items()):
                    if (ctx, msgid) in fresh and (not strs or not all(strs)):
                        problems.append(f"{rel}: untranslated: {msgid!r}")
                compiled = Path(tmp) / f"{rel}.mo"
                subprocess.run(["msgfmt", "-o", str(compiled), str(committed_po)], check=True)
                committed_mo = committed_po.with_suffix(".mo")
                if not committed_mo.exists() or committed_mo.read_bytes() != compiled.read_bytes():
                    problems.append(f"{rel}: django.mo is missing or older than django.po (run compilemessages)")
        if problems:
            raise CommandError("Translation catalogs are behind the code:\n" + "\n".join(problems))
        self.stdout.write(f"{len(apps)} catalogs current and compiled.")
