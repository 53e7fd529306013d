"""Sales' watch rules (registered with `watch` from `SalesConfig.ready`): one query per company."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import WAITING_STATES, OrderState
from retaguarda.watch.registry import Finding, Param, day, integer, on, rule, text
from retaguarda.watch.states import Severity

LOGISTICS = "logistics"


@rule(
    "sales.order_late",
    title=_("Order not shipped on the promised date"),
    department=LOGISTICS,
    severity=Severity.HIGH,
    explanation=_("%(customer)s was promised %(order)s for %(promised)s (%(days)s days ago); it is %(state)s."),
    steps=[
        _("Check the stock and the note of the order"),
        _("Ship it, or tell the customer the new date"),
    ],
    params=[Param("grace_days", _("Days of grace after the promised date"), 0)],
    # Right after an order moves (confirmed late, shipped, cancelled), not only on the 15-minute run.
    triggers=[on("sales.salesorder", "confirmed", "cancelled", "invoiced", "shipped")],
)
def order_late(company_id: int, params, subjects=None) -> list[Finding]:
    today = timezone.localdate()
    orders = SalesOrder.objects.filter(pk__in=subjects) if subjects is not None else SalesOrder.objects
    rows = (
        orders.filter(
            company_id=company_id,
            state__in=WAITING_STATES,
            promised_ship_date__lt=today - timedelta(days=params["grace_days"]),
        )
        .select_related("customer")
        .only("id", "number", "state", "promised_ship_date", "customer__legal_name", "customer__trade_name")
    )
    found = []
    for order in rows:
        customer = order.customer.trade_name or order.customer.legal_name
        found.append(
            Finding(
                "sales.order",
                order.pk,
                f"{order} · {customer}"[:200],
                {
                    "order": text(str(order), _("Order")),
                    "customer": text(customer, _("Customer")),
                    "promised": day(order.promised_ship_date, _("Promised ship date")),
                    "days": integer((today - order.promised_ship_date).days, _("Days late")),
                    "state": text(str(OrderState(order.state).label).lower(), _("State")),
                },
                reverse("sales:order", args=[order.pk]),
            )
        )
    return found
