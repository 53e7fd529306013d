"""Purchasing's watch rules (registered with `watch` from `PurchasingConfig.ready`): a fixed number of
queries per company, whatever the number of orders, receipts or products."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.core.decimal_sql import DecimalMul, DecimalSub, DecimalSum
from retaguarda.core.money import ZERO
from retaguarda.inventory.rules import PRODUCT_TRIGGERS
from retaguarda.purchasing import selectors
from retaguarda.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequestLine,
    Receipt,
    ReceiptLine,
)
from retaguarda.purchasing.states import RECEIVABLE_STATES, ReceiptState, RequestState
from retaguarda.watch.registry import Finding, Param, day, integer, labels, link, money, on, qty, rule, text
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


# ---------------------------------------------------------------------------- price above the last receipt

PRICE_WINDOW_MAX_DAYS = 365


def _lines_near(company_id: int, receipt_id: int):
    """The posted lines a receipt's posting or cancelling can change the verdict of: its own, and the
    same supplier's earlier lines of the same products within the longest window (one of them was the
    latest). One query."""
    receipt = Receipt.objects.filter(pk=receipt_id, company_id=company_id)
    lines = ReceiptLine.objects.filter(
        receipt__company_id=company_id,
        receipt__supplier_id=Subquery(receipt.values("supplier_id")[:1]),
        product_id__in=ReceiptLine.objects.filter(receipt_id=receipt_id).values("product_id"),
    ).filter(Q(receipt_id=receipt_id) | Q(receipt__posted_at__gte=timezone.now() - timedelta(PRICE_WINDOW_MAX_DAYS)))
    return lines.values_list("pk", flat=True)


def _net(prefix: str = ""):
    """What the supplier charged for the line: goods less discount (before taxes and freight)."""
    return DecimalSub(f"{prefix}goods_value", f"{prefix}discount")


@rule(
    "purchasing.price_above_last",
    title=_("Receipt price above the supplier's last"),
    department=PURCHASING,
    severity=Severity.MEDIUM,
    explanation=_(
        "%(supplier)s charged %(price)s a unit on %(receipt)s, %(increase)s%% above the %(previous)s "
        "of its receipt of %(previous_on)s."
    ),
    steps=[
        _("Ask the supplier why the price went up (list price, discount lost, wrong unit)"),
        _("Quote the product with other suppliers"),
        _("Review the product's sale price if the new cost stays"),
    ],
    params=[
        Param("percent", _("Increase that fires it (%)"), 10, minimum=1, maximum=1000),
        Param("days", _("Days a receipt is watched after posting"), 30, minimum=1, maximum=PRICE_WINDOW_MAX_DAYS),
    ],
    triggers=[on("purchasing.receipt", "posted", "cancelled", subjects=_lines_near)],
)
def price_above_last(company_id: int, params, subjects=None) -> list[Finding]:
    """The latest posted line of each (supplier, product) in the window whose price per stock unit (goods
    less discount over the stock quantity) is more than `percent` above the same supplier's previous
    receipt of the product. The supplier's price, not the landed cost: freight and insurance spread over
    a small delivery, or a tax rate changed, would move the landed cost without the supplier raising
    anything, and the price is what the buyer negotiates. Compared cross-multiplied, exactly, in SQL."""
    posted = ReceiptLine.objects.filter(receipt__company_id=company_id, receipt__state=ReceiptState.POSTED)
    same = posted.filter(product_id=OuterRef("product_id"), receipt__supplier_id=OuterRef("receipt__supplier_id"))
    at, receipt = OuterRef("receipt__posted_at"), OuterRef("receipt_id")
    later = same.filter(Q(receipt__posted_at__gt=at) | Q(receipt__posted_at=at, receipt_id__gt=receipt))
    # The previous price the supplier charged: a free line (bonificação) is no price to compare with.
    previous = (
        same.filter(Q(receipt__posted_at__lt=at) | Q(receipt__posted_at=at, receipt_id__lt=receipt))
        .filter(goods_value__gt=F("discount"), stock_quantity__gt=0)
        .order_by("-receipt__posted_at", "-receipt_id", "-id")[:1]
    )
    lines = posted.filter(receipt__posted_at__gte=timezone.now() - timedelta(days=params["days"]))
    if subjects is not None:
        lines = lines.filter(pk__in=subjects)
    hundred = Value(Decimal(100))
    rows = (
        lines.filter(~Exists(later), stock_quantity__gt=0)
        .annotate(
            before=Subquery(previous.annotate(n=_net()).values("n")),
            before_qty=Subquery(previous.values("stock_quantity")),
            before_at=Subquery(previous.values("receipt__posted_at")),
        )
        .filter(before_qty__isnull=False)  # a column's subquery: compared as a number on SQLite too
        .alias(
            now_scaled=DecimalMul(DecimalMul(_net(), "before_qty"), hundred),
            then_scaled=DecimalMul(DecimalMul("before", "stock_quantity"), Value(Decimal(100 + params["percent"]))),
        )
        .filter(now_scaled__gt=F("then_scaled"))
        .values_list(
            "id", "receipt_id", "receipt__number", "goods_value", "discount", "stock_quantity", "before",
            "before_qty", "before_at", "product__sku", "product__name", "receipt__supplier__trade_name",
            "receipt__supplier__legal_name",
        )
    )  # fmt: skip
    url = link("purchasing:receipt")
    say = labels(
        supplier=_("Supplier"),
        price=_("Price a unit"),
        receipt=_("Receipt"),
        increase=_("Increase (%)"),
        previous=_("Previous price a unit"),
        previous_on=_("Previous receipt"),
    )
    found = []
    for (
        pk,
        receipt_id,
        number,
        goods,
        discount,
        stock_qty,
        before,
        before_qty,
        before_at,
        sku,
        name,
        trade,
        legal,
    ) in rows:
        price, was = (goods - discount) / stock_qty, before / before_qty
        supplier = trade or legal
        found.append(
            Finding(
                "purchasing.receipt_line",
                pk,
                f"{sku} {name} · {supplier}"[:200],
                {
                    "supplier": text(supplier, say["supplier"]),
                    "price": money(price.quantize(Decimal("0.0001")), say["price"]),
                    "receipt": text(str(Receipt(number=number)), say["receipt"]),
                    "increase": qty(((price / was - 1) * 100).quantize(Decimal("0.1")), say["increase"]),
                    "previous": money(was.quantize(Decimal("0.0001")), say["previous"]),
                    "previous_on": day(timezone.localdate(before_at), say["previous_on"]),
                },
                url(receipt_id),
            )
        )
    return found


# ---------------------------------------------------------------------------- suggestion not acted on


def _products_of(model, document_field: str):
    def subjects(company_id: int, document_id: int):
        return model.objects.filter(**{document_field: document_id}).values_list("product_id", flat=True).distinct()

    return subjects


OPEN_REQUESTS = (RequestState.PENDING, RequestState.APPROVED)


@rule(
    "purchasing.suggestion_not_acted",
    title=_("Reorder suggestion not acted on while stock runs out"),
    department=PURCHASING,
    severity=Severity.HIGH,
    explanation=_(
        "%(available)s available in %(warehouse)s against a minimum of %(minimum)s, selling %(daily)s a day, "
        "with %(on_order)s on order; delivery takes %(lead)s days (%(supplier)s), so the order was due "
        "%(days)s days ago. Suggested: %(quantity)s."
    ),
    steps=[
        _("Open the reorder suggestions and turn this one into a purchase order"),
        _("Ask the supplier for the fastest delivery, or buy the shortage elsewhere"),
        _("If the product is no longer bought, set its minimum stock to zero"),
    ],
    params=[Param("days", _("Days past the date to order"), 2, minimum=0, maximum=365)],
    # What acts on a suggestion resolves it at once (a receipt posted, an order or a request written or
    # cancelled), for their products only; a sales order's confirmation does not re-check it (a planning
    # alarm: the 15-minute run finds it, and a confirmation stays within watch's event budget).
    triggers=[
        *(t for t in PRODUCT_TRIGGERS if t.document == "purchasing.receipt"),
        on("purchasing.purchaseorder", "draft", "ordered", "cancelled", subjects=_products_of(PurchaseOrderLine, "order_id")),
        on(
            "purchasing.purchaserequest",
            *OPEN_REQUESTS, RequestState.REJECTED, RequestState.CANCELLED,
            subjects=_products_of(PurchaseRequestLine, "request_id"),
        ),
    ],
)  # fmt: skip
def suggestion_not_acted(company_id: int, params, subjects=None) -> list[Finding]:
    """The reorder suggestions (`selectors.reorder_suggestions`, the page's own) whose day to order passed
    more than `days` ago, in a warehouse that keeps the product (one that never had it is not running
    out), for products no open purchase request covers: what is on order already counts in the
    suggestion, so an order that covers the shortfall makes it go away. One finding per product, from its
    most overdue warehouse."""
    rows = selectors.reorder_suggestions(company_id, product_ids=subjects)
    late = [s for s in rows if s.stocked and s.days_late > params["days"]]
    if not late:
        return []
    requested = dict(
        PurchaseRequestLine.objects.filter(
            request__company_id=company_id,
            request__state__in=OPEN_REQUESTS,
            product_id__in={s.product.pk for s in late},
        )
        .values("product_id")
        .annotate(total=DecimalSum("quantity", default=ZERO))
        .values_list("product_id", "total")
    )
    by_product = defaultdict(list)
    for s in late:
        by_product[s.product.pk].append(s)
    url = reverse("purchasing:suggestions")
    say = labels(
        available=_("Available"),
        warehouse=_("Warehouse"),
        minimum=_("Minimum stock"),
        daily=_("Sold a day"),
        on_order=_("On order"),
        supplier=_("Supplier"),
        lead=_("Lead time (days)"),
        days=_("Days late to order"),
        quantity=_("Suggested quantity"),
    )
    no_supplier = str(_("no supplier yet"))
    found = []
    for product_id, rows in by_product.items():
        if requested.get(product_id, ZERO) >= sum((s.shortfall for s in rows), ZERO):
            continue
        s = max(rows, key=lambda r: (r.days_late, -r.warehouse.pk))
        supplier = (s.supplier.trade_name or s.supplier.legal_name) if s.supplier else no_supplier
        found.append(
            Finding(
                "catalog.product",
                product_id,
                f"{s.product.sku} {s.product.name} · {s.warehouse.code}"[:200],
                {
                    "available": qty(s.available, say["available"]),
                    "warehouse": text(s.warehouse.code, say["warehouse"]),
                    "minimum": qty(s.product.minimum_stock, say["minimum"]),
                    "daily": qty(s.daily_sales, say["daily"]),
                    "on_order": qty(s.on_order, say["on_order"]),
                    "supplier": text(supplier, say["supplier"]),
                    "lead": integer(s.lead_time_days, say["lead"]),
                    "days": integer(s.days_late, say["days"]),
                    "quantity": qty(s.quantity, say["quantity"]),
                },
                url,
            )
        )
    return found
