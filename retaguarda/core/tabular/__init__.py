"""Spreadsheet import and export: CSV and XLSX in, CSV and XLSX out, every bad row reported at once.

Writing an importer (``retaguarda/<app>/importers.py``)
-------------------------------------------------------
::

    from retaguarda.core import tabular
    from retaguarda.core.tabular import Column, Importer

    class PartyImporter(Importer):
        name = "parties"
        label = _("Customers and suppliers")
        permission = "parties.change"         # who may import them: the app's own permission
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

    tabular.register_importer(PartyImporter)

`run_import` finds the module by itself: ``autodiscover()`` imports ``<app>.importers`` of every
installed app, so registering at the module's top level is enough (no AppConfig change needed). The
import page (``web``), its background jobs (``core.import_jobs``) and ``retaguarda import`` serve every
registered kind; each is offered only to users holding its ``permission``.

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
names as headers, so an exported file imports back unchanged. ``register_exporter(cls)``, with
``name`` and ``permission`` (``parties.view``) declared on the class.

The package: ``parsers`` (cells to values), ``declarations`` (Column, Row, Importer, Exporter, the
report), ``registry``, ``reading`` (CSV/XLSX to rows, header matching, preview), ``running``
(``run_import``), ``writing`` (exports).
"""

from retaguarda.core.tabular.declarations import (
    Column,
    Exporter,
    Importer,
    ImportFileError,
    ImportReport,
    Parser,
    Row,
    RowError,
)
from retaguarda.core.tabular.parsers import (
    parse_bool,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_text,
    parse_upper,
)
from retaguarda.core.tabular.reading import importer_class, match_columns, preview, read_table
from retaguarda.core.tabular.registry import (
    autodiscover,
    exporters,
    exporters_for,
    get_exporter,
    get_importer,
    importers,
    importers_for,
    register_exporter,
    register_importer,
)
from retaguarda.core.tabular.running import Progress, check_import, rows_with_problems, run_import
from retaguarda.core.tabular.writing import CONTENT_TYPES, FORMATS, STAGE_LABELS, export_filename, write_export
from retaguarda.core.text import header_key

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "STAGE_LABELS",
    "Column",
    "Exporter",
    "ImportFileError",
    "ImportReport",
    "Importer",
    "Parser",
    "Progress",
    "Row",
    "RowError",
    "autodiscover",
    "check_import",
    "export_filename",
    "exporters",
    "exporters_for",
    "get_exporter",
    "get_importer",
    "header_key",
    "importer_class",
    "importers",
    "importers_for",
    "match_columns",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_text",
    "parse_upper",
    "preview",
    "read_table",
    "register_exporter",
    "register_importer",
    "rows_with_problems",
    "run_import",
    "write_export",
]
