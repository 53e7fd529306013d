from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "retaguarda.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from retaguarda.core import ledger_checks, periodic
        from retaguarda.core.audit import register_action_labels
        from retaguarda.finance import (
            rules,  # noqa: F401  (registers the watch rules)
            services,  # noqa: F401  (registers the outbox handlers)
        )
        from retaguarda.finance.tasks import (
            check_finance_ledgers,
            drift_lines,
            generate_recurring_titles,
            queue_collection_reminders,
        )

        periodic.register(check_finance_ledgers, every=timedelta(hours=1))
        periodic.register(generate_recurring_titles, every=timedelta(hours=6))
        periodic.register(queue_collection_reminders, every=timedelta(hours=6))
        ledger_checks.register("finance", _("Financial ledger and journal"), drift_lines)

        register_action_labels(
            {
                "settled": _("settled"),
                "settlement_reversed": _("settlement reversed"),
                "credited": _("credited"),
                "transferred": _("transferred"),
                "reconciled": _("reconciled"),
                "reconciliation_undone": _("reconciliation undone"),
                "statement_imported": _("statement imported"),
            }
        )
