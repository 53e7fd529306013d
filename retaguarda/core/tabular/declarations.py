"""What an importer and an exporter declare, and what a run reports: columns, rows, errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from retaguarda.core.tabular.parsers import parse_text
from retaguarda.core.text import header_key

Parser = Callable[[str], Any]


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
    """One kind of record read from a spreadsheet; see the package docstring.

    `name` is the kind (`parties`), `label` what the page shows, `permission` what a user needs to
    import it (`parties.change`): each app's own, never another app's."""

    name: str = ""
    label: Any = ""
    permission: str = ""
    columns: Sequence[Column] = ()
    batch_size: int = 1000
    hint: Any = ""  # a line the import page shows under the columns (how updates, variations ... work)
    list_url: str = ""  # URL name of the page listing what was imported, linked when the import ends
    do_not_call_in_templates = True  # pages show the class's label and columns

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

    @classmethod
    def columns_for(cls, header: list[str]) -> Sequence[Column]:
        """The columns to match this file's header against: `columns`, unless the importer knows the
        file's layout (another system's export) by its header and reads it its own way."""
        return cls.columns


class Exporter(ABC):
    """One kind of record written to a spreadsheet; `permission` is what a user needs to export it
    (`parties.view`)."""

    name: str = ""
    label: Any = ""
    permission: str = ""
    headers: Sequence[str] = ()
    do_not_call_in_templates = True

    def __init__(self, *, actor):
        self.actor = actor
        self.company_id = actor.company_id

    @abstractmethod
    def rows(self) -> Iterable[Sequence[Any]]:
        """The exported rows, in `headers` order."""
