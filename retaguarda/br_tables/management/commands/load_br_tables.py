from django.core.management.base import BaseCommand
from django.db import transaction

from retaguarda.br_tables.loader import load


class Command(BaseCommand):
    help = "Reload the official reference tables (IBGE, NCM, CEST, CFOP, CST/CSOSN, banks) from the packaged files."

    def handle(self, **options):
        with transaction.atomic():
            counts = load()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
