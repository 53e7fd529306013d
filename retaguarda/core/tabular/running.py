"""Running an import: parse every row, check every row, then save all, none, or the good ones."""

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core.tabular.declarations import Column, Importer, ImportFileError, ImportReport, Row, RowError
from retaguarda.core.tabular.reading import importer_class, match_columns, read_table

Progress = Callable[[int, int, str], None]


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


def _checked(instance: Importer, file, filename: str | None, notify: Progress) -> tuple[ImportReport, list[Row]]:
    """Every row parsed and checked, nothing saved: the report and the rows."""
    report = ImportReport()
    try:
        header, rows, _count = read_table(file, filename)
        found, ignored, missing = match_columns(header, instance.columns_for(header))
        if missing:
            raise ImportFileError(
                _("Required columns missing: %(columns)s.") % {"columns": ", ".join(missing)},
                [RowError(1, name, _("Required column is missing from the header.")) for name in missing],
            )
    except ImportFileError as exc:
        report.errors = exc.errors
        return report, []
    report.columns = [found[i].name for i in sorted(found)]
    report.ignored_columns = ignored
    parsed = _parse(header, rows, found)
    total = report.total = len(parsed)
    notify(0, total, "checking")
    instance.prepare(parsed)
    step = max(1, total // 100)
    for done, row in enumerate(parsed, start=1):
        instance.check(row)
        if done % step == 0 or done == total:
            notify(done, total, "checking")
    instance.check_all(parsed)
    report.errors = sorted((e for row in parsed for e in row.errors), key=lambda e: e.row)
    return report, parsed


def check_import(importer, file, *, actor, filename: str | None = None) -> ImportReport:
    """What `run_import` would find wrong, row by row, without saving anything (the preview's check)."""
    instance = importer if isinstance(importer, Importer) else importer_class(importer)(actor=actor)
    report, _rows = _checked(instance, file, filename, lambda done, total, stage: None)
    return report


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
    instance = importer if isinstance(importer, Importer) else importer_class(importer)(actor=actor)
    notify = progress or (lambda done, total, stage: None)
    report, parsed = _checked(instance, file, filename, notify)
    if not parsed or (report.errors and not skip_invalid):
        return report
    good = instance.ordered([row for row in parsed if row.ok])
    notify(0, len(good), "saving")
    with transaction.atomic():
        for start in range(0, len(good), instance.batch_size):
            batch = good[start : start + instance.batch_size]
            report.saved += instance.save(batch)
            notify(min(start + len(batch), len(good)), len(good), "saving")
    return report


def rows_with_problems(file, errors: list[RowError], *, filename: str | None = None) -> tuple[list[str], list[list]]:
    """The file's header and its rows that have problems, as typed, each with its problems in a last
    column: the file to fix and import again."""
    problems: dict[int, list[str]] = {}
    for error in errors:
        problems.setdefault(error.row, []).append(f"{error.column}: {error.message}" if error.column else error.message)
    header, rows, _count = read_table(file, filename)
    kept = [
        [*cells, *[""] * (len(header) - len(cells)), " | ".join(problems[number])]
        for number, cells in rows
        if number in problems
    ]
    return [*header, _("problems")], kept
