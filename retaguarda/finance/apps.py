from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "retaguarda.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from retaguarda.core.audit import register_action_labels

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
