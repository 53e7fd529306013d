"""`retaguarda import products|parties FILE`: check every row, then save all or none (or the good ones)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin
from retaguarda.web.commandline import ProgressBar, company_for


class Command(BaseCommand):
    help = "Import products or parties (customers, suppliers, carriers) from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to import: " + ", ".join(tabular.importers()) or "products")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--company", type=int, help="company id (required when there is more than one)")
        parser.add_argument("--skip-invalid", action="store_true", help="save the valid rows and skip the bad ones")

    def handle(self, *args, kind, file, company=None, skip_invalid=False, **options):
        try:
            importer = tabular.get_importer(kind)
        except KeyError:
            raise CommandError(
                _("Unknown kind: %(kind)s. Use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(tabular.importers())}
            ) from None
        target = company_for(company)
        actor = Actor(None, Origin.CLI, target.pk)
        bar = ProgressBar(sys.stderr)
        started = time.monotonic()
        try:
            report = tabular.run_import(importer, file, actor=actor, skip_invalid=skip_invalid, progress=bar)
        except FileNotFoundError:
            raise CommandError(_("File not found: %(file)s") % {"file": file}) from None
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        out = self.stdout
        if report.errors:
            out.write(
                _("%(problems)d problem(s) in %(rows)d row(s):")
                % {"problems": len(report.errors), "rows": report.bad_rows}
            )
            out.write(f"{_('row'):>7}  {_('column'):<20}  {_('reason')}")
            for error in report.errors:
                out.write(f"{error.row:>7}  {error.column or '-':<20}  {error.message}")
        if report.ignored_columns:
            out.write(
                _("Ignored columns (name not recognised): %(columns)s") % {"columns": ", ".join(report.ignored_columns)}
            )
        summary = _("%(total)d row(s) read, %(saved)d saved in %(seconds).1f s.") % {
            "total": report.total,
            "saved": report.saved,
            "seconds": elapsed,
        }
        if report.errors and not report.saved:
            out.write(self.style.ERROR(summary))
            if not skip_invalid and report.total:
                out.write(_("Nothing was saved. Fix the rows above or use --skip-invalid to save the valid ones."))
            raise SystemExit(1)
        out.write(self.style.SUCCESS(summary) if not report.errors else self.style.WARNING(summary))
