"""Spreadsheet import and export: CSV and XLSX in, CSV and XLSX out, every bad row reported at once.

Writing an importer (``retaguarda/<app>/importers.py``)
-------------------------------------------------------
::

    from retaguarda.core import tabular
    from retaguarda.core.tabular import Column, Importer

    class PartyImporter(Importer):
        name = "parties"
        label = _("Customers and suppliers")
        columns = (
            Column("documento", required=True, aliases=("cpf_cnpj", "cnpj", "cpf")),
            Column("nome", required=True),
            Column("limite_credito", parser=tabular.parse_decimal),
            Column("ativo", parser=tabular.parse_bool),
        )

        def prepare(self, rows):            # optional: load lookups once (sets, dicts) for every row
            self.known = set(Party.objects.filter(company_id=self.company_id).values_list("document", flat=True))

        def check(self, row):               # per row: add problems, never raise
            if row["documento"] in self.known:
                row.error("documento", _("Already registered."))

        def check_all(self, rows):          # optional: problems that need several rows (duplicates in the file)
            ...

        def ordered(self, rows):            # optional: the order to save in (parents first)
            return rows

        def save(self, rows):               # valid rows only, one batch at a time, inside run_import's transaction
            services.bulk_create_parties([r.values for r in rows], actor=self.actor)
            return len(rows)                # how many rows were saved

    tabular.register_importer("parties", PartyImporter)

`run_import` finds the module by itself: ``autodiscover()`` imports ``<app>.importers`` of every
installed app, so registering at the module's top level is enough (no AppConfig change needed).

Rows and errors
---------------
- The file's first row is the header. Headers are matched without case, accents or punctuation
  (``"Preço de venda"`` matches a column named ``preco_de_venda``); ``Column.aliases`` adds names.
  Unknown headers are ignored. A missing required column stops the import before any row is read.
- ``row.number`` is the spreadsheet row the user sees (the header is row 1).
- ``row.values`` holds only the columns present in the file, already parsed: a parser receives the
  cell as stripped text (XLSX numbers and dates arrive as text too: ``12.5``, ``2026-01-31``) and
  returns the value, or raises ``ValueError`` with the Portuguese reason. Empty cells are ``None``;
  an empty required cell is an error and its parser is not called.
- ``row.error(column, message)`` records a ``RowError(row, column, message)``; ``row.ok`` says
  whether the row has none. Errors are collected for every row before anything is saved.

Running
-------
``run_import(importer, file, *, actor, skip_invalid=False, progress=None, filename=None)``:
`importer` is a registered name, an Importer class or an instance; `file` a path, bytes or a
binary file object. Every row is parsed and checked first. When any row is bad nothing is saved,
unless ``skip_invalid=True``, which saves the good rows only. Saving runs in one transaction, in
batches of ``Importer.batch_size`` rows. ``progress(done, total, stage)`` is called now and then
with stage ``"checking"`` or ``"saving"``. The answer is an ``ImportReport`` (``total``, ``saved``,
``errors``, ``ok``, ``as_dict()``). The company is ``actor.company_id``.

Exporting
---------
An ``Exporter`` names its ``headers`` and yields one sequence of values per row from ``rows()``;
``write_export(exporter, out, fmt)`` writes CSV (``;``-separated, UTF-8 with BOM, decimal commas,
dates as dd/mm/aaaa: what Excel in Portuguese opens right) or XLSX. Use the importer's column
names as headers, so an exported file imports back unchanged. ``register_exporter("parties", cls)``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Parser = Callable[[str], Any]
Progress = Callable[[int, int, str], None]

# --- parsers: text in, value out, ValueError with the reason in Portuguese ---------------------------


def parse_text(value: str) -> str:
    return value


def parse_upper(value: str) -> str:
    return value.upper()


_MONEY_NOISE = re.compile(r"[R$\s\u00a0%]")


def parse_decimal(value: str) -> Decimal:
    """``1.234,56``, ``1234,56``, ``1234.56``, ``R$ 12,90``: the last separator is the decimal one.

    A lone dot is a decimal point (``12.5``), unless there are several (``1.234.567``).
    """
    text = _MONEY_NOISE.sub("", value)
    negative = text.startswith("-")
    text = text.lstrip("-+")
    if "," in text and "." in text:
        comma_last = text.rfind(",") > text.rfind(".")
        text = text.replace(".", "").replace(",", ".") if comma_last else text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(_("Invalid number: %(value)s.") % {"value": value})
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        raise ValueError(_("Invalid number: %(value)s.") % {"value": value})
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("Invalid number: %(value)s.") % {"value": value}) from exc
    return -number if negative else number


def parse_integer(value: str) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(_("Invalid whole number: %(value)s.") % {"value": value})
    return int(number)


_TRUE = {"1", "s", "sim", "y", "yes", "true", "verdadeiro", "x", "ativo"}
_FALSE = {"0", "n", "nao", "no", "false", "falso", "inativo"}


def parse_bool(value: str) -> bool:
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(_("Use sim or não: %(value)s.") % {"value": value})


def parse_date(value: str) -> datetime.date:
    """``31/01/2026``, ``31/01/26`` or ``2026-01-31`` (also with a time, as XLSX dates arrive)."""
    text = value.strip().split(" ")[0].split("T")[0]
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Invalid date: %(value)s. Use dd/mm/aaaa.") % {"value": value})


def fold(text: str) -> str:
    """Lower case, no accents, surrounding blanks removed: how headers and yes/no are compared."""
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


# --- declarations -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    parser: Parser = parse_text
    aliases: tuple[str, ...] = ()
    help: str = ""

    def header_keys(self) -> set[str]:
        return {header_key(self.name), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; the header is row 1
    column: str  # column name, or "" for the whole row
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    raw: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: Any) -> None:
        self.errors.append(RowError(self.number, column, str(message)))

    @property
    def ok(self) -> bool:
        return not self.errors

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def has(self, name: str) -> bool:
        """Whether the file has this column (the cell may still be empty)."""
        return name in self.values


@dataclass
class ImportReport:
    total: int = 0  # data rows read (blank rows are not counted)
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # recognised columns, in file order
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "saved": self.saved,
            "bad_rows": self.bad_rows,
            "errors": [e.as_dict() for e in self.errors],
            "columns": self.columns,
            "ignored_columns": self.ignored_columns,
        }


class ImportFileError(Exception):
    """The file itself cannot be read (not CSV/XLSX, no header, a required column missing)."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        self.message = message
        self.errors = errors or [RowError(1, "", message)]
        super().__init__(message)


class Importer(ABC):
    """One kind of record read from a spreadsheet; see the module docstring."""

    name: str = ""
    label: Any = ""
    columns: Sequence[Column] = ()
    batch_size: int = 1000

    def __init__(self, *, actor):
        self.actor = actor
        self.company_id = actor.company_id

    def prepare(self, rows: list[Row]) -> None:
        """Load what `check` needs for every row at once (existing codes, reference sets)."""
        return None  # optional hook

    def check(self, row: Row) -> None:
        """Add every problem of one row with `row.error(column, message)`."""
        return None  # optional hook

    def check_all(self, rows: list[Row]) -> None:
        """Problems that need more than one row (the same code twice in the file)."""
        return None  # optional hook

    def ordered(self, rows: list[Row]) -> list[Row]:
        """The order to save the good rows in (parents before children, say); file order by default."""
        return rows

    @abstractmethod
    def save(self, rows: list[Row]) -> int:
        """Save one batch of good rows (inside run_import's transaction); return how many were saved."""

    def template_headers(self) -> list[str]:
        return [c.name for c in self.columns]


class Exporter(ABC):
    name: str = ""
    label: Any = ""
    headers: Sequence[str] = ()

    def __init__(self, *, actor):
        self.actor = actor
        self.company_id = actor.company_id

    @abstractmethod
    def rows(self) -> Iterable[Sequence[Any]]:
        """The exported rows, in `headers` order."""


# --- registry -----------------------------------------------------------------------------------------

_importers: dict[str, type[Importer]] = {}
_exporters: dict[str, type[Exporter]] = {}


def register_importer(name: str, cls: type[Importer]) -> type[Importer]:
    _importers[name] = cls
    return cls


def register_exporter(name: str, cls: type[Exporter]) -> type[Exporter]:
    _exporters[name] = cls
    return cls


def autodiscover() -> None:
    """Import `<app>.importers` of every installed app, which registers its importers and exporters."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importers")


def importers() -> dict[str, type[Importer]]:
    autodiscover()
    return dict(sorted(_importers.items()))


def exporters() -> dict[str, type[Exporter]]:
    autodiscover()
    return dict(sorted(_exporters.items()))


def get_importer(name: str) -> type[Importer]:
    found = importers().get(name)
    if found is None:
        raise KeyError(name)
    return found


def get_exporter(name: str) -> type[Exporter]:
    found = exporters().get(name)
    if found is None:
        raise KeyError(name)
    return found


# --- reading ------------------------------------------------------------------------------------------

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
    cls = _importer_class(importer)
    header, rows, count = read_table(file, filename)
    found, ignored, missing = match_columns(header, cls.columns)
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


def _importer_class(importer) -> type[Importer]:
    if isinstance(importer, str):
        return get_importer(importer)
    if isinstance(importer, Importer):
        return type(importer)
    return importer


def _parse(header: list[str], rows, found: dict[int, Column]) -> list[Row]:
    parsed = []
    for number, cells in rows:
        if not any(cells):
            continue
        row = Row(number, {}, {})
        for index, column in found.items():
            text = cells[index].strip() if index < len(cells) and cells[index] is not None else ""
            row.raw[column.name] = text
            if text == "":
                row.values[column.name] = None
                if column.required:
                    row.error(column.name, _("Required field is empty."))
                continue
            try:
                row.values[column.name] = column.parser(text)
            except ValueError as exc:
                row.values[column.name] = None
                row.error(column.name, str(exc) or _("Invalid value: %(value)s.") % {"value": text})
        parsed.append(row)
    return parsed


def run_import(
    importer,
    file,
    *,
    actor,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    filename: str | None = None,
) -> ImportReport:
    """Check every row, then save all of them, none of them, or (skip_invalid) the good ones only."""
    instance = importer if isinstance(importer, Importer) else _importer_class(importer)(actor=actor)
    report = ImportReport()
    try:
        header, rows, _count = read_table(file, filename)
        found, ignored, missing = match_columns(header, instance.columns)
        if missing:
            raise ImportFileError(
                _("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)},
                [RowError(1, name, _("Required column is missing from the header.")) for name in missing],
            )
    except ImportFileError as exc:
        report.errors = exc.errors
        return report
    report.columns = [found[i].name for i in sorted(found)]
    report.ignored_columns = ignored
    parsed = _parse(header, rows, found)
    total = report.total = len(parsed)
    notify = progress or (lambda done, total, stage: None)
    notify(0, total, "checking")
    instance.prepare(parsed)
    step = max(1, total // 100)
    for done, row in enumerate(parsed, start=1):
        instance.check(row)
        if done % step == 0 or done == total:
            notify(done, total, "checking")
    instance.check_all(parsed)
    report.errors = sorted((e for row in parsed for e in row.errors), key=lambda e: e.row)
    good = instance.ordered([row for row in parsed if row.ok])
    if report.errors and not skip_invalid:
        return report
    notify(0, len(good), "saving")
    with transaction.atomic():
        for start in range(0, len(good), instance.batch_size):
            batch = good[start : start + instance.batch_size]
            report.saved += instance.save(batch)
            notify(min(start + len(batch), len(good)), len(good), "saving")
    return report


# --- writing ------------------------------------------------------------------------------------------

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            whole, fraction = text.split(".")
            fraction = fraction.rstrip("0")
            text = f"{whole},{fraction.ljust(2, '0')}" if fraction else whole
        return text
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value  # openpyxl stores it as a number
    if isinstance(value, bool):
        return "sim" if value else "não"
    return value


def write_export(exporter: Exporter, out: IO[bytes], fmt: str = "csv", *, progress: Progress | None = None) -> int:
    """Write every row of `exporter` to the binary stream `out`; returns the row count."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(exporter.headers)
        for row in exporter.rows():
            writer.writerow([_csv_text(v) for v in row])
            count += 1
            if progress and count % 1000 == 0:
                progress(count, 0, "exporting")
        text.flush()
        text.detach()
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(exporter.label or exporter.name)[:31] or "dados")
    sheet.append(list(exporter.headers))
    for row in exporter.rows():
        sheet.append([_xlsx_value(v) for v in row])
        count += 1
        if progress and count % 1000 == 0:
            progress(count, 0, "exporting")
    workbook.save(out)
    return count


def export_filename(name: str, fmt: str, when: datetime.date | None = None) -> str:
    when = when or timezone.localdate()
    return f"{name}-{when:%Y%m%d}.{fmt}"


# A label for progress stages, shown by the command and the web page.
STAGE_LABELS = {
    "checking": gettext_lazy("checking"),
    "saving": gettext_lazy("saving"),
    "exporting": gettext_lazy("exporting"),
}
