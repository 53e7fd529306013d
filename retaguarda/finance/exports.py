"""Cash flow and income statement as CSV or XLSX, written by the project's one export writer."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retaguarda.core.tabular import Exporter
from retaguarda.finance.selectors import CashFlow, Dre


class CashFlowExport(Exporter):
    name = "fluxo-de-caixa"
    label = _("Cash flow")

    def __init__(self, *, actor, flow: CashFlow):
        super().__init__(actor=actor)
        self.flow = flow
        self.headers = [
            str(_("From")),
            str(pgettext_lazy("date range", "To")),
            str(pgettext_lazy("money", "Received")),
            str(_("Paid")),
            str(_("To receive")),
            str(_("To pay")),
            str(_("Net")),
            str(_("Balance")),
        ]

    def rows(self):
        for r in self.flow.rows:
            yield [r.start, r.end, r.realized_in, r.realized_out, r.projected_in, r.projected_out, r.net, r.balance]


class DreExport(Exporter):
    name = "dre"
    label = _("Income statement")

    def __init__(self, *, actor, dre: Dre):
        super().__init__(actor=actor)
        self.dre = dre
        self.headers = [str(_("Line")), *[f"{m:%m/%Y}" for m in dre.months], str(_("Total"))]

    def rows(self):
        for row in self.dre.rows:
            label = f"    {row.label}" if row.kind == "category" else row.label
            yield [label, *row.values, row.total]
