from django.core.management.base import BaseCommand
from django.db import transaction

from retaguarda.br_tables.loader import load


class Command(BaseCommand):
    help = (
        "Bring the official reference tables (IBGE, NCM, CEST, CFOP, CST/CSOSN, banks) up to the packaged "
        "files: new codes added, changed ones updated, codes no longer published kept but inactive."
    )

    def handle(self, **options):
        with transaction.atomic():
            report = load()
        for name, counts in report.items():
            self.stdout.write(
                f"{name}: {counts['active']} active ({counts['added']} added, {counts['changed']} changed, "
                f"{counts['retired']} retired)"
            )
