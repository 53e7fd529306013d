"""Purchasing's watch rules (registered with `watch` from `PurchasingConfig.ready`): one query per company."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.states import RECEIVABLE_STATES
from retaguarda.watch.registry import Finding, Param, day, integer, on, rule, text
from retaguarda.watch.states import Severity

PURCHASING = "purchasing"


@rule(
    "purchasing.order_late",
    title=_("Purchase order not delivered on the expected date"),
    department=PURCHASING,
    severity=Severity.MEDIUM,
    explanation=_("%(supplier)s was to deliver %(order)s on %(expected)s (%(days)s days ago)."),
    steps=[
        _("Ask the supplier for the new delivery date"),
        _("Record the date on the order, or buy elsewhere"),
    ],
    params=[Param("grace_days", _("Days of grace after the expected date"), 0)],
    # Right after an order moves (sent, received, cancelled), not only on the 15-minute run.
    triggers=[on("purchasing.purchaseorder", "ordered", "partially_received", "received", "cancelled")],
)
def order_late(company_id: int, params, subjects=None) -> list[Finding]:
    today = timezone.localdate()
    orders = PurchaseOrder.objects.filter(pk__in=subjects) if subjects is not None else PurchaseOrder.objects
    rows = (
        orders.filter(
            company_id=company_id,
            state__in=RECEIVABLE_STATES,
            expected_date__lt=today - timedelta(days=params["grace_days"]),
        )
        .select_related("supplier")
        .only("id", "number", "expected_date", "supplier__legal_name", "supplier__trade_name")
    )
    found = []
    for order in rows:
        supplier = order.supplier.trade_name or order.supplier.legal_name
        found.append(
            Finding(
                "purchasing.order",
                order.pk,
                f"{order} · {supplier}"[:200],
                {
                    "order": text(str(order), _("Purchase order")),
                    "supplier": text(supplier, _("Supplier")),
                    "expected": day(order.expected_date, _("Expected date")),
                    "days": integer((today - order.expected_date).days, _("Days late")),
                },
                reverse("purchasing:order", args=[order.pk]),
            )
        )
    return found
