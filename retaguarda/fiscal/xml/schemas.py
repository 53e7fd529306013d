"""The official XSDs, each compiled once per process (compiling costs more than validating a note).

The NF-e schemas (PL_010f, with IBS/CBS) come with nfelib. Event schemas are patched for the
alphanumeric CNPJ in `events_schema` (see there)."""

import functools
import importlib.util
import threading
from pathlib import Path

from lxml import etree

# Where nfelib is installed, found without importing it (its package imports xsdata's parsers).
NFELIB = Path(importlib.util.find_spec("nfelib").origin).resolve().parent
NFE_SCHEMAS = NFELIB / "nfe" / "schemas" / "v4_0"
_lock = threading.Lock()


@functools.cache
def _compiled(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def schema(name: str, folder: Path = NFE_SCHEMAS) -> etree.XMLSchema:
    with _lock:
        return _compiled(str(folder / name))


def errors(root: etree._Element, name: str, folder: Path = NFE_SCHEMAS) -> list[str]:
    """Every schema error of `root`, as `line: message`; empty when the document is valid."""
    compiled = schema(name, folder)
    with _lock:  # a schema's error log is shared state: one validation at a time per process
        if compiled.validate(root):
            return []
        return [f"{e.line}: {e.message}" for e in compiled.error_log]
