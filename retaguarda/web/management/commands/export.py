"""`retaguarda export products|parties --format csv|xlsx [--output FILE]`."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin
from retaguarda.web.commandline import company_for


class Command(BaseCommand):
    help = "Export products or parties to CSV (separated by ;) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="what to export: " + ", ".join(tabular.exporters()) or "products")
        parser.add_argument("--format", choices=tabular.FORMATS, default="csv")
        parser.add_argument(
            "--output", "-o", help="output file (default: <kind>-<date>.<format>; - for standard output)"
        )
        parser.add_argument("--company", type=int, help="company id (required when there is more than one)")

    def handle(self, *args, kind, format, output=None, company=None, **options):
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
