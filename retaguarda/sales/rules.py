"""Sales' watch rules (registered with `watch` from `SalesConfig.ready`): one query per company."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import WAITING_STATES, OrderState
from retaguarda.watch.registry import Finding, Param, day, integer, labels, link, on, rule, text
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


@rule(
    "sales.invoiced_not_shipped",
    title=_("Authorized note not shipped"),
    department=LOGISTICS,
    severity=Severity.MEDIUM,
    explanation=_(
        "The note of %(order)s for %(customer)s was authorized on %(invoiced)s, %(hours)s hours ago, "
        "and the goods have not left."
    ),
    steps=[
        _("Pick, pack and hand the order to the carrier"),
        _("Record the shipment with its carrier and tracking code"),
        _("If it will not ship, cancel the order and its note while SEFAZ still accepts the cancellation"),
    ],
    params=[Param("hours", _("Hours after the note's authorization"), 24, minimum=1, maximum=720)],
    # Shipped or cancelled: resolved at once, not on the next 15-minute run.
    triggers=[on("sales.salesorder", "shipped", "cancelled")],
)
def invoiced_not_shipped(company_id: int, params, subjects=None) -> list[Finding]:
    now = timezone.now()
    orders = SalesOrder.objects.filter(pk__in=subjects) if subjects is not None else SalesOrder.objects
    rows = orders.filter(
        company_id=company_id, state=OrderState.INVOICED, invoiced_at__lt=now - timedelta(hours=params["hours"])
    ).values_list("id", "number", "invoiced_at", "customer__trade_name", "customer__legal_name")
    url = link("sales:order")
    say = labels(order=_("Order"), customer=_("Customer"), invoiced=_("Note authorized at"), hours=_("Hours waiting"))
    found = []
    for pk, number, invoiced_at, trade_name, legal_name in rows:
        customer = trade_name or legal_name
        order = SalesOrder(pk=pk, number=number)
        found.append(
            Finding(
                "sales.order",
                pk,
                f"{order} · {customer}"[:200],
                {
                    "order": text(str(order), say["order"]),
                    "customer": text(customer, say["customer"]),
                    "invoiced": text(f"{timezone.localtime(invoiced_at):%d/%m/%Y %H:%M}", say["invoiced"]),
                    "hours": integer(int((now - invoiced_at).total_seconds() // 3600), say["hours"]),
                },
                url(pk),
            )
        )
    return found
