"""`retaguarda export products|parties --format csv|xlsx [--output FILE]`, and
`retaguarda export nfe --month YYYY-MM [--output FILE]`: the month's fiscal XML archive as a zip."""

import re
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin
from retaguarda.web.commandline import company_for


class Command(BaseCommand):
    help = "Export products or parties to CSV (separated by ;) or XLSX, or a month's NF-e XML archive (nfe) as a zip."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to export: " + ", ".join(tabular.exporters()) or "products")
        parser.add_argument("--format", choices=tabular.FORMATS, default="csv")
        parser.add_argument(
            "--output", "-o", help="output file (default: <kind>-<date>.<format>; - for standard output)"
        )
        parser.add_argument("--company", type=int, help="company id (required when there is more than one)")
        parser.add_argument("--month", help="nfe: the month of issue, YYYY-MM")

    def handle(self, *args, kind, format, output=None, company=None, month=None, **options):
        if kind == "nfe":
            return self._nfe(company_for(company), month, output)
        try:
            exporter_class = tabular.get_exporter(kind)
        except KeyError:
            raise CommandError(
                _("Unknown kind: %(kind)s. Use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(tabular.exporters())}
            ) from None
        target = company_for(company)
        exporter = exporter_class(actor=Actor(None, Origin.CLI, target.pk))
        if output == "-":
            tabular.write_export(exporter, sys.stdout.buffer, format)
            return
        path = output or tabular.export_filename(kind, format)
        with open(path, "wb") as fh:
            count = tabular.write_export(exporter, fh, format)
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d record(s) exported to %(path)s.") % {"count": count, "path": path})
        )

    def _nfe(self, company, month, output):
        from retaguarda.fiscal.services import export_month

        if not month or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError(_("Give the month as YYYY-MM, e.g. --month 2026-11."))
        path = output or f"nfe-{company.cnpj}-{month}.zip"
        with open(path, "wb") as fh:
            count = export_month(company.pk, month, fh)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d XML file(s) of %(month)s written to %(path)s.")
                % {"count": count, "month": month, "path": path}
            )
        )
