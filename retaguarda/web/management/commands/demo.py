"""`retaguarda demo`: load the demo company once (a second run changes nothing)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from retaguarda.web import demo


class Command(BaseCommand):
    help = "Load the demo company, its users and its master data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = demo.load()
        if created:
            self.stdout.write(self.style.SUCCESS("Empresa de demonstração carregada."))
        else:
            self.stdout.write("A empresa de demonstração já estava carregada.")
