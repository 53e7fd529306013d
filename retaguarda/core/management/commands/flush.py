"""Django's flush, adapted to our tables.

- Ledgers refuse DELETE at any other time; flush opens the purge gate on its own connection.
- Reference tables (settings.REFERENCE_APPS: the official IBGE/NCM/CFOP... data that migrations
  load) are kept: they are install data, not user data, and reloading them per test is slow.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.commands import flush as django_flush
from django.db import connections

from retaguarda.core.ledger import purge_gate


def _flush_sql_keeping_reference(style, connection, reset_sequences=True, allow_cascade=False):
    keep = {
        model._meta.db_table
        for label in getattr(settings, "REFERENCE_APPS", [])
        for model in apps.get_app_config(label).get_models()
    }
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True, include_views=False) if t not in keep
    ]
    return connection.ops.sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)


class Command(django_flush.Command):
    def handle(self, **options):
        original = django_flush.sql_flush
        django_flush.sql_flush = _flush_sql_keeping_reference
        try:
            with purge_gate(connections[options["database"]]):
                return super().handle(**options)
        finally:
            django_flush.sql_flush = original
