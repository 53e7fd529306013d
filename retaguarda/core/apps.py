from django.apps import AppConfig
from django.db.backends.signals import connection_created
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
