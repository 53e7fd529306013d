from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "retaguarda.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from retaguarda.core import ledger_checks, periodic
        from retaguarda.inventory import rules  # noqa: F401  (registers the watch rules)
        from retaguarda.inventory.tasks import check_ledgers, close_stock_periods, drift_lines

        periodic.register(check_ledgers, every=timedelta(hours=1))
        periodic.register(close_stock_periods, every=timedelta(hours=6))
        ledger_checks.register("inventory", _("Stock ledger"), drift_lines)
