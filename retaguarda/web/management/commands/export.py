"""`retaguarda export products|parties --format csv|xlsx [--output FILE]`."""

import importlib
import sys

from django.core.management.base import BaseCommand, CommandError

from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin

# `import` is a Python keyword, so the sibling command module is loaded by name.
company_for = importlib.import_module("retaguarda.web.management.commands.import").company_for


class Command(BaseCommand):
    help = "Exporta produtos ou clientes/fornecedores para CSV (separado por ;) ou XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="o que exportar: " + ", ".join(tabular.exporters()) or "products")
        parser.add_argument("--format", choices=tabular.FORMATS, default="csv")
        parser.add_argument(
            "--output", "-o", help="arquivo de saída (padrão: <tipo>-<data>.<formato>; - para a saída padrão)"
        )
        parser.add_argument("--company", type=int, help="id da empresa (obrigatório se houver mais de uma)")

    def handle(self, *args, kind, format, output=None, company=None, **options):
        try:
            exporter_class = tabular.get_exporter(kind)
        except KeyError:
            raise CommandError(f"Tipo desconhecido: {kind}. Use um destes: {', '.join(tabular.exporters())}.") from None
        target = company_for(company)
        exporter = exporter_class(actor=Actor(None, Origin.CLI, target.pk))
        if output == "-":
            tabular.write_export(exporter, sys.stdout.buffer, format)
            return
        path = output or tabular.export_filename(kind, format)
        with open(path, "wb") as fh:
            count = tabular.write_export(exporter, fh, format)
        self.stdout.write(self.style.SUCCESS(f"{count} registro(s) exportado(s) para {path}."))
