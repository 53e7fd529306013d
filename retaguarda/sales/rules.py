"""Sales' watch rules (registered with `watch` from `SalesConfig.ready`): one query per company.

A rule's `subjects` (the event-driven run) narrows the same query to the objects a change of one order,
receipt or title can affect; each trigger finds those in one query of its own (`watch.registry.Trigger`)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.catalog.models import KitComponent, ProductType
from retaguarda.core.decimal_sql import DecimalMul, DecimalSign, DecimalSub, DecimalSum
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO, CostField, QuantityField, RateField, amount, quantity
from retaguarda.finance.models import Title
from retaguarda.inventory.models import LocationKind, Reservation, StockBalance, StockMove
from retaguarda.sales.credit import exposures
from retaguarda.sales.models import SalesOrder, SalesOrderLine
from retaguarda.sales.states import WAITING_STATES, OrderState
from retaguarda.watch.registry import Finding, Param, day, integer, labels, link, money, on, qty, rule, text
from retaguarda.watch.states import Severity

LOGISTICS = "logistics"
SALES = "sales"
FINANCE = "finance"
ORDER = SalesOrder._meta.label_lower  # the timeline's name of an order: "sales.salesorder"
ZERO_QTY = Value(ZERO, output_field=QuantityField())


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
    rows = (
        _orders(subjects)
        .filter(
            company_id=company_id, state=OrderState.INVOICED, invoiced_at__lt=now - timedelta(hours=params["hours"])
        )
        .values_list("id", "number", "invoiced_at", "customer__trade_name", "customer__legal_name")
    )
    url = link("sales:order")
    say = labels(order=_("Order"), customer=_("Customer"), invoiced=_("Note authorized at"), hours=_("Hours waiting"))
    found = []
    for pk, number, invoiced_at, trade_name, legal_name in rows:
        customer = _customer(trade_name, legal_name)
        invoiced, hours = _waited(invoiced_at, now, say["invoiced"], say["hours"])
        figures = {"customer": text(customer, say["customer"]), "invoiced": invoiced, "hours": hours}
        found.append(_order_finding(pk, number, customer, say, url, figures))
    return found


def _orders(subjects):
    return SalesOrder.objects.filter(pk__in=subjects) if subjects is not None else SalesOrder.objects


def _customer(trade_name: str, legal_name: str) -> str:
    return trade_name or legal_name


def _order_finding(pk: int, number, customer: str, say, url, figures: dict) -> Finding:
    """One order's finding: named by the order and its customer, the order first among its figures."""
    order = SalesOrder(pk=pk, number=number)
    return Finding(
        "sales.order", pk, f"{order} · {customer}"[:200], {"order": text(str(order), say["order"]), **figures}, url(pk)
    )


def _waited(since, now, say_at: str, say_hours: str) -> tuple:
    """When something happened and the whole hours waited since, as two figures."""
    at = text(f"{timezone.localtime(since):%d/%m/%Y %H:%M}", say_at)
    return at, integer(int((now - since).total_seconds() // 3600), say_hours)


@rule(
    "sales.confirmed_not_invoiced",
    title=_("Confirmed order not invoiced"),
    department=SALES,
    severity=Severity.MEDIUM,
    explanation=_(
        "%(order)s for %(customer)s (%(total)s) was confirmed on %(confirmed)s, %(hours)s hours ago, and its note "
        "has not been asked for: the stock stays reserved and the customer waits."
    ),
    steps=[
        _("Check what holds the order: payment, stock to pick, customer data for the note"),
        _("Invoice it, or cancel it to give its stock back"),
    ],
    params=[Param("hours", _("Hours after the confirmation"), 48, minimum=1, maximum=720)],
    # Invoiced (or asked for) or cancelled: resolved at once, not on the next 15-minute run.
    triggers=[on(ORDER, "invoicing", "invoiced", "cancelled")],
)
def confirmed_not_invoiced(company_id: int, params, subjects=None) -> list[Finding]:
    """Orders still `confirmed` whose confirmation (their timeline's event, one probe of its index per
    confirmed order) is older than the threshold."""
    now = timezone.now()
    cutoff = now - timedelta(hours=params["hours"])
    confirmed_at = (
        DocumentEvent.objects.filter(document_type=ORDER, document_id=OuterRef("pk"), to_state=OrderState.CONFIRMED)
        .order_by("-id")
        .values("created_at")[:1]
    )
    rows = (
        _orders(subjects)
        .filter(company_id=company_id, state=OrderState.CONFIRMED, created_at__lt=cutoff)  # confirmed after taken
        .annotate(confirmed_at=Subquery(confirmed_at, output_field=DateTimeField()))
        .filter(confirmed_at__lt=cutoff)
        .values_list("id", "number", "total", "confirmed_at", "customer__trade_name", "customer__legal_name")
    )
    url = link("sales:order")
    say = labels(
        order=_("Order"),
        customer=_("Customer"),
        total=_("Total"),
        confirmed=_("Confirmed at"),
        hours=_("Hours waiting"),
    )
    found = []
    for pk, number, total, confirmed_at, trade_name, legal_name in rows:
        customer = _customer(trade_name, legal_name)
        confirmed, hours = _waited(confirmed_at, now, say["confirmed"], say["hours"])
        figures = {
            "customer": text(customer, say["customer"]),
            "total": money(total, say["total"]),
            "confirmed": confirmed,
            "hours": hours,
        }
        found.append(_order_finding(pk, number, customer, say, url, figures))
    return found


def _drafts_sharing_stock(company_id: int, products) -> list[int]:
    """Drafts with a line of one of `products` (a queryset of product ids), directly or through a kit."""
    kits = KitComponent.objects.filter(component_id__in=products).values("kit_id")
    rows = (
        SalesOrderLine.objects.filter(order__company_id=company_id, order__state=OrderState.DRAFT)
        .filter(Q(product_id__in=products) | Q(product_id__in=kits))
        .order_by()
        .values_list("order_id", flat=True)
        .distinct()
    )
    return list(rows)


def _drafts_after_order(company_id: int, order_id: int) -> list[int]:
    """A cancellation gives back the stock the order held: the drafts of the same products, and the order
    itself (a short draft cancelled no longer waits for stock)."""
    held = Reservation.objects.filter(company_id=company_id, source_type=SalesOrder.SOURCE_TYPE, source_id=order_id)
    return [order_id, *_drafts_sharing_stock(company_id, held.values("product_id"))]


def _drafts_after_receipt(company_id: int, receipt_id: int) -> list[int]:
    moved = StockMove.objects.filter(company_id=company_id, source_type="purchasing.receipt", source_id=receipt_id)
    return _drafts_sharing_stock(company_id, moved.values("product_id"))


# What the shortfall rows are grouped by: the order and the stocked product, and what names them.
_SHORT_GROUP = (
    "order_id", "order__warehouse_id", "stock_id", "sku", "name", "order__number", "order__warehouse__code",
    "order__customer__trade_name", "order__customer__legal_name",
)  # fmt: skip


@rule(
    "sales.cannot_reserve",
    title=_("Order that cannot be reserved"),
    department=SALES,
    severity=Severity.HIGH,
    explanation=_(
        "%(order)s for %(customer)s cannot be confirmed: %(products)s product(s) short in %(warehouse)s, "
        "first %(product)s (%(needed)s asked, %(available)s available)."
    ),
    steps=[
        _("Look for the stock in another warehouse and transfer it, or move the order to that warehouse"),
        _("Ask purchasing for the date the shortage arrives"),
        _("Agree with the customer: wait, take part of it, or swap the product"),
    ],
    params=[Param("days", _("Drafts taken in the last days"), 30, minimum=1, maximum=365)],
    # A cancellation gives stock back: the drafts of its products are looked at once. A confirmation looks
    # at the order itself only (a short draft, now confirmed, resolves at once); the drafts it leaves short
    # are the 15-minute run's, which spares every confirmation's event a query. Not on a new draft: taking
    # one stays as cheap as it was (confirming it says at once what is short).
    triggers=[
        on(ORDER, "confirmed"),
        on(ORDER, "cancelled", subjects=_drafts_after_order),
        on("purchasing.receipt", "posted", "cancelled", subjects=_drafts_after_receipt),
    ],
)
def cannot_reserve(company_id: int, params, subjects=None) -> list[Finding]:
    """Draft orders that confirming now would refuse for a shortfall: some product (a kit's components
    counted for the kit) is asked, over all the draft's lines, for more than is available (on hand less
    reserved) in the order's warehouse, which is what `inventory.reserve` holds the order against. Each
    draft is measured against today's stock on its own; drafts older than the threshold are taken for
    abandoned. An order taken and confirmed in one call (`?confirm=true`) that falls short is refused whole
    and never stored: the channel is told, and there is nothing left here to watch.

    One query: the drafts' lines (kits through their components, one LEFT JOIN) summed per order and
    product, against a correlated sum of the warehouse's balances (the warehouse-product index)."""
    stocked = Q(product__product_type=ProductType.GOODS, product__is_variant_parent=False)
    available = (
        StockBalance.objects.filter(
            warehouse_id=OuterRef("order__warehouse_id"),
            product_id=OuterRef("stock_id"),
            location__kind=LocationKind.INTERNAL,
        )
        .order_by()
        .values("product_id")
        .annotate(total=DecimalSum(DecimalSub("on_hand", "reserved")))
        .values("total")
    )
    lines = SalesOrderLine.objects.filter(
        order__company_id=company_id,
        order__state=OrderState.DRAFT,
        order__order_date__gte=timezone.localdate() - timedelta(days=params["days"]),
    ).filter(stocked | Q(product__product_type=ProductType.KIT))
    if subjects is not None:
        lines = lines.filter(order_id__in=subjects)
    one = Value(Decimal(1), output_field=QuantityField())
    rows = (
        lines.annotate(
            stock_id=Coalesce("product__components__component_id", "product_id"),
            sku=Coalesce("product__components__component__sku", "product__sku"),
            name=Coalesce("product__components__component__name", "product__name"),
        )
        .values(*_SHORT_GROUP)
        .annotate(
            needed=DecimalSum(DecimalMul("quantity", Coalesce("product__components__quantity", one))),
            available=Coalesce(Subquery(available, output_field=QuantityField()), ZERO_QTY),
        )
        .alias(short=DecimalSign(DecimalSub("needed", "available")))
        .filter(short=1)
        .order_by("order_id", "stock_id")
    )
    shorts = defaultdict(list)
    for row in rows:
        shorts[row["order_id"]].append(row)
    if not shorts:
        return []
    url = link("sales:order")
    say = labels(
        order=_("Order"),
        customer=_("Customer"),
        warehouse=_("Warehouse"),
        products=_("Products short"),
        product=_("Product"),
        needed=_("Asked"),
        available=_("Available"),
    )
    found = []
    for order_id, short in shorts.items():
        first = short[0]
        customer = _customer(first["order__customer__trade_name"], first["order__customer__legal_name"])
        figures = {
            "customer": text(customer, say["customer"]),
            "warehouse": text(first["order__warehouse__code"], say["warehouse"]),
            "products": integer(len(short), say["products"]),
            "product": text(f"{first['sku']} {first['name']}", say["product"]),
            "needed": qty(quantity(first["needed"]), say["needed"]),
            "available": qty(max(quantity(first["available"]), ZERO), say["available"]),
        }
        found.append(_order_finding(order_id, first["order__number"], customer, say, url, figures))
    return found


_BELOW_COST_COLUMNS = (
    "order_id", "revenue", "order_revenue", "cost", "order__channel__fee_percent", "order__channel__fee_fixed",
    "order__number", "order__channel__code", "product__sku", "product__name", "order__customer__trade_name",
    "order__customer__legal_name",
)  # fmt: skip


@rule(
    "sales.below_cost",
    title=_("Sold below cost"),
    department=SALES,
    severity=Severity.HIGH,
    explanation=_(
        "%(lines)s line(s) of %(order)s on %(channel)s bring in less than they cost: %(loss)s short in all, "
        "the worst %(product)s (%(revenue)s after discounts, %(fees)s of channel fees, %(cost)s at average cost)."
    ),
    steps=[
        _("Check the price and the discounts of the line against the product's average cost"),
        _("If the order is still a draft, correct the price; if confirmed, talk to the customer before invoicing"),
        _("Review the channel's price list and fees so the next orders are priced right"),
    ],
    params=[Param("margin_percent", _("Minimum margin over cost (%)"), 0, minimum=0, maximum=100)],
    # A confirmation (an order from a channel, confirmed as it is taken) is looked at once, a new draft on the
    # 15-minute run (taking one stays as cheap as it was); invoiced or cancelled, it leaves the watch at once.
    triggers=[on(ORDER, "confirmed", "invoicing", "cancelled")],
)
def below_cost(company_id: int, params, subjects=None) -> list[Finding]:
    """Lines of orders not yet invoiced (a draft's price can still be corrected, a confirmed order
    renegotiated before its note) whose revenue after discounts, less the channel's fees, is below the
    product's average cost (a kit's: its components') plus the minimum margin.

    The fees: the channel's percentage of the line's revenue, and its fixed fee per order spread over the
    lines by revenue. The comparison is exact on both engines: with R the line's revenue, O the order's,
    p the percentage, f the fixed fee, C the cost and m the margin, `R - R p/100 - f R/O < C (100+m)/100`
    is multiplied out by 100 O, so SQL divides nothing. One query: the waiting orders (state index), their
    lines, the channel and the product's average cost (or its kit's components', a correlated sum)."""
    margin = Decimal(params["margin_percent"])
    kit_cost = (
        KitComponent.objects.filter(kit_id=OuterRef("product_id"))
        .order_by()
        .values("kit_id")
        .annotate(total=DecimalSum(DecimalMul("quantity", "component__stock_cost__average_cost")))
        .values("total")
    )
    unit_cost = Coalesce(
        "product__stock_cost__average_cost", Subquery(kit_cost, output_field=CostField()), output_field=CostField()
    )
    hundred = Value(Decimal(100), output_field=RateField())
    rows = SalesOrderLine.objects.filter(
        order__company_id=company_id, order__state__in=(OrderState.DRAFT, OrderState.CONFIRMED)
    )
    if subjects is not None:
        rows = rows.filter(order_id__in=subjects)
    rows = (
        rows.annotate(
            revenue=DecimalSub("gross", "discount"),
            order_revenue=DecimalSub("order__products_total", "order__discount_total"),
            cost=DecimalMul("quantity", unit_cost),
        )
        .annotate(
            # R (100 O - p O - 100 f) < C (100 + m) O, and a line given away (O = 0) with any cost
            kept=DecimalMul(
                "revenue",
                DecimalSub(
                    DecimalMul("order_revenue", DecimalSub(hundred, "order__channel__fee_percent")),
                    DecimalMul(hundred, "order__channel__fee_fixed"),
                ),
            ),
            owed=DecimalMul(DecimalMul("cost", Value(100 + margin, output_field=RateField())), "order_revenue"),
        )
        .alias(below=DecimalSign(DecimalSub("kept", "owed")), costs=DecimalSign("cost"))
        .filter(Q(below=-1) | Q(order__products_total=F("order__discount_total"), costs=1))
        .order_by("order_id", "number")
        .values_list(*_BELOW_COST_COLUMNS)
    )
    by_order = defaultdict(list)
    for row in rows:
        by_order[row[0]].append(row)
    url = link("sales:order")
    say = labels(
        order=_("Order"),
        channel=_("Channel"),
        lines=_("Lines below cost"),
        loss=_("Short of cost"),
        product=_("Worst line"),
        revenue=_("Revenue after discounts"),
        fees=_("Channel fees"),
        cost=_("Cost"),
    )
    found = []
    for order_id, lines in by_order.items():
        shortfalls = []
        for _o, revenue, order_revenue, cost, percent, fixed, *_rest in lines:
            fees = revenue * percent / 100 + (fixed * revenue / order_revenue if order_revenue else fixed)
            shortfalls.append((amount(cost * (100 + margin) / 100 - (revenue - fees)), amount(fees)))
        worst = max(range(len(lines)), key=lambda i: shortfalls[i][0])
        _o, revenue, _or, cost, _p, _f, number, channel, sku, name, trade_name, legal_name = lines[worst]
        figures = {
            "channel": text(channel, say["channel"]),
            "lines": integer(len(lines), say["lines"]),
            "loss": money(sum((short for short, _fees in shortfalls), ZERO), say["loss"]),
            "product": text(f"{sku} {name}", say["product"]),
            "revenue": money(revenue, say["revenue"]),
            "fees": money(shortfalls[worst][1], say["fees"]),
            "cost": money(amount(cost), say["cost"]),
        }
        found.append(_order_finding(order_id, number, _customer(trade_name, legal_name), say, url, figures))
    return found


def _customer_of_order(company_id: int, order_id: int) -> list[int]:
    return list(SalesOrder.objects.filter(company_id=company_id, pk=order_id).values_list("customer_id", flat=True))


def _party_of_title(company_id: int, title_id: int) -> list[int]:
    rows = Title.objects.filter(company_id=company_id, pk=title_id, party__isnull=False)
    return list(rows.values_list("party_id", flat=True))


@rule(
    "sales.credit_limit",
    title=_("Customer over the credit limit"),
    department=FINANCE,
    severity=Severity.HIGH,
    explanation=_(
        "%(customer)s owes %(open)s and has %(pending)s in confirmed orders not yet invoiced: %(exposure)s "
        "against a credit limit of %(limit)s (%(excess)s over)."
    ),
    steps=[
        _("Review the customer's open receivables and confirmed orders"),
        _("Collect, ask for payment in advance, or hold the orders not yet invoiced"),
        _("Raise the limit only with the finance manager's approval, recorded here"),
    ],
    # A cancellation lowers the customer's exposure, and so may every change of a receivable (issued,
    # settled, reversed, cancelled; an invoice's receivable among them). Not a confirmation: it passed the
    # same check against the same sum, so it cannot have put the customer over the limit.
    triggers=[
        on(ORDER, "cancelled", subjects=_customer_of_order),
        on("finance.title", subjects=_party_of_title),
    ],
)
def credit_limit(company_id: int, params, subjects=None) -> list[Finding]:
    """Customers whose exposure (open receivables plus confirmed orders waiting for their note) is above
    their credit limit: the sum the confirmation checks (`sales.credit`), so a limit lowered by finance, a
    receivable grown by interest or orders confirmed before the limit was set show here. A customer with an
    installment overdue is refused at confirmation as well; that is the rule `finance.receivable_overdue`'s
    to watch. One query: the customers with a limit, two correlated sums each."""
    rows = exposures(company_id)
    if subjects is not None:
        rows = rows.filter(pk__in=subjects)
    over = DecimalSign(DecimalSub("exposure", "credit_limit"))
    rows = (
        rows.alias(over=over)
        .filter(over=1)
        .values_list("id", "trade_name", "legal_name", "credit_limit", "open_receivables", "pending_orders")
    )
    url = link("parties:detail")
    say = labels(
        customer=_("Customer"),
        limit=_("Credit limit"),
        open=_("Open receivables"),
        pending=_("Confirmed orders not invoiced"),
        exposure=_("Exposure"),
        excess=_("Over the limit"),
    )
    found = []
    for pk, trade_name, legal_name, limit, open_total, pending in rows:
        open_total, pending = amount(open_total), amount(pending)  # SQLite's sums come back unrounded
        customer, exposure = _customer(trade_name, legal_name), open_total + pending
        found.append(
            Finding(
                "parties.party",
                pk,
                customer[:200],
                {
                    "customer": text(customer, say["customer"]),
                    "limit": money(limit, say["limit"]),
                    "open": money(open_total, say["open"]),
                    "pending": money(pending, say["pending"]),
                    "exposure": money(exposure, say["exposure"]),
                    "excess": money(exposure - limit, say["excess"]),
                },
                url(pk),
            )
        )
    return found
