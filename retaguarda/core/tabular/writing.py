"""Writing exports: CSV as Excel in Portuguese opens it, or XLSX."""

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from retaguarda.core.tabular.declarations import Exporter

Progress = Callable[[int, int, str], None]

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
