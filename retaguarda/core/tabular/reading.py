"""Reading CSV and XLSX files into a header and text rows, and matching headers to columns."""

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from retaguarda.core.tabular.declarations import Column, Importer, ImportFileError
from retaguarda.core.tabular.registry import get_importer
from retaguarda.core.text import header_key

_XLSX_MAGIC = b"PK\x03\x04"


def _read_bytes(file: str | Path | bytes | IO[bytes]) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, ""
    if isinstance(file, str | Path):
        path = Path(file)
        return path.read_bytes(), path.name
    data = file.read()
    return (data.encode() if isinstance(data, str) else data), getattr(file, "name", "") or ""


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise Windows-1252/Latin-1, as older Excel saves CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_delimiter(text: str) -> str:
    """`;` (Brazilian Excel), `,`, tab or `|`, chosen by counting them in the header line."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_table(file, filename: str | None = None) -> tuple[list[str], Iterator[tuple[int, list[str]]], int]:
    """The header, an iterator of (row number, cells as text) and the data row count (blank rows included)."""
    data, name = _read_bytes(file)
    name = filename or name
    if data.startswith(_XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ImportFileError(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from exc
    if not lines:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip() for h in lines[0]]
    return header, ((i, [c.strip() for c in cells]) for i, cells in enumerate(lines[1:], start=2)), len(lines) - 1


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a valid XLSX spreadsheet.")) from exc
    sheet = workbook.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    return rows[0], ((i, cells) for i, cells in enumerate(rows[1:], start=2)), len(rows) - 1


def match_columns(header: list[str], columns: Sequence[Column]) -> tuple[dict[int, Column], list[str], list[str]]:
    """Which file column index holds which declared column; unknown headers; missing required ones."""
    by_key: dict[str, Column] = {}
    for column in columns:
        for key in column.header_keys():
            by_key.setdefault(key, column)
    found: dict[int, Column] = {}
    seen: set[str] = set()
    ignored = []
    for index, title in enumerate(header):
        column = by_key.get(header_key(title))
        if column is None or column.name in seen:
            if title:
                ignored.append(title)
            continue
        found[index] = column
        seen.add(column.name)
    missing = [c.name for c in columns if c.required and c.name not in seen]
    return found, ignored, missing


def preview(importer, file, *, filename: str | None = None, limit: int = 10) -> dict:
    """The header as read, the recognised and ignored columns and the first rows, for the upload page."""
    cls = importer_class(importer)
    header, rows, count = read_table(file, filename)
    found, ignored, missing = match_columns(header, cls.columns_for(header))
    first = []
    for _number, cells in rows:
        if any(cells):
            first.append(cells + [""] * (len(header) - len(cells)))
        if len(first) >= limit:
            break
    return {
        "header": header,
        "recognised": [found[i].name if i in found else "" for i in range(len(header))],
        "ignored": ignored,
        "missing": missing,
        "rows": first,
        "row_count": count,
    }


def importer_class(importer) -> type[Importer]:
    if isinstance(importer, str):
        return get_importer(importer)
    if isinstance(importer, Importer):
        return type(importer)
    return importer
