from datetime import timedelta

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "retaguarda.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from retaguarda.core.decimal_sql import register_sqlite_functions
        from retaguarda.core.ledger import register_sqlite_gate

        connection_created.connect(register_sqlite_gate, dispatch_uid="retaguarda-ledger-gate")
        connection_created.connect(register_sqlite_functions, dispatch_uid="retaguarda-exact-decimal")

        from retaguarda.core.text_limits import check_lengths

        # Text over its column is refused on both engines before the database (SQLite would keep it).
        pre_save.connect(check_lengths, dispatch_uid="retaguarda-text-lengths")

        from retaguarda.core import periodic, tasks

        # The worker is woken after each commit that emits events; this beat carries the retries
        # (a minute: the first backoff is half a minute, later ones are longer).
        periodic.register(tasks.deliver_outbox, every=timedelta(minutes=1))
        periodic.register(tasks.purge_outbox, every=timedelta(days=1))
        periodic.register(tasks.prune_task_results, every=timedelta(days=1))
        periodic.register(tasks.purge_idempotency_keys, every=timedelta(hours=1))
