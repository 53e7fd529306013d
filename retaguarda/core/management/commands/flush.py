"""Django's flush, with the ledger purge gate open: ledgers refuse DELETE at any other time."""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from retaguarda.core.ledger import purge_gate


class Command(DjangoFlush):
    def handle(self, **options):
        with purge_gate(connections[options["database"]]):
            return super().handle(**options)
