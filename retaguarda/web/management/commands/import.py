"""`retaguarda import products|parties FILE`: check every row, then save all or none (or the good ones)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from retaguarda.companies.models import Company
from retaguarda.core import tabular
from retaguarda.core.actor import Actor, Origin


class ProgressBar:
    """`[########------------]  42%  4.200/10.000 checking` on one terminal line; silent when piped."""

    def __init__(self, stream, width: int = 30):
        self.stream = stream
        self.width = width
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.last = 0.0
        self.stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.last < 0.1:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage, self.last = stage, now
        share = done / total if total else 1
        filled = int(self.width * share)
        label = tabular.STAGE_LABELS.get(stage, stage)
        self.stream.write(
            f"\r[{'#' * filled}{'-' * (self.width - filled)}] {share:4.0%}  {done:,}/{total:,}".replace(",", ".")
            + f"  {label}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage:
            self.stream.write("\n")
            self.stream.flush()


def company_for(option: int | None) -> Company:
    if option is not None:
        company = Company.objects.filter(pk=option).first()
        if company is None:
            raise CommandError(f"Empresa {option} não encontrada.")
        return company
    companies = list(Company.objects.order_by("id")[:2])
    if len(companies) != 1:
        raise CommandError("Informe a empresa com --company ID (há mais de uma, ou nenhuma).")
    return companies[0]


class Command(BaseCommand):
    help = "Importa produtos ou clientes/fornecedores de um arquivo CSV ou XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="o que importar: " + ", ".join(tabular.importers()) or "products")
        parser.add_argument("file", help="arquivo .csv ou .xlsx")
        parser.add_argument("--company", type=int, help="id da empresa (obrigatório se houver mais de uma)")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="salva as linhas válidas e ignora as que têm erro"
        )

    def handle(self, *args, kind, file, company=None, skip_invalid=False, **options):
        try:
            importer = tabular.get_importer(kind)
        except KeyError:
            raise CommandError(f"Tipo desconhecido: {kind}. Use um destes: {', '.join(tabular.importers())}.") from None
        target = company_for(company)
        actor = Actor(None, Origin.CLI, target.pk)
        bar = ProgressBar(sys.stderr)
        started = time.monotonic()
        try:
            report = tabular.run_import(importer, file, actor=actor, skip_invalid=skip_invalid, progress=bar)
        except FileNotFoundError:
            raise CommandError(f"Arquivo não encontrado: {file}") from None
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        out = self.stdout
        if report.errors:
            out.write(f"{len(report.errors)} problema(s) em {report.bad_rows} linha(s):")
            out.write(f"{'linha':>7}  {'coluna':<20}  motivo")
            for error in report.errors:
                out.write(f"{error.row:>7}  {error.column or '-':<20}  {error.message}")
        if report.ignored_columns:
            out.write("Colunas ignoradas (nome não reconhecido): " + ", ".join(report.ignored_columns))
        summary = f"{report.total} linha(s) lida(s), {report.saved} salva(s) em {elapsed:.1f} s."
        if report.errors and not report.saved:
            out.write(self.style.ERROR(summary))
            if not skip_invalid and report.total:
                out.write("Nada foi salvo. Corrija as linhas acima ou use --skip-invalid para salvar as válidas.")
            raise SystemExit(1)
        out.write(self.style.SUCCESS(summary) if not report.errors else self.style.WARNING(summary))
