"""Reads shared by the purchasing API and pages: reorder suggestions, late suppliers and supplier performance.

Each runs a fixed number of queries whatever the number of products, orders or warehouses."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.decimal_sql import DecimalMul, DecimalSub, DecimalSum
from retaguarda.core.money import ZERO, quantity
from retaguarda.inventory.models import LocationKind, StockBalance, StockMove, Warehouse
from retaguarda.parties.models import Party
from retaguarda.purchasing.models import PurchaseOrder, PurchaseOrderLine, ReceiptLine, SupplierProduct
from retaguarda.purchasing.states import RECEIVABLE_STATES, OrderState, ReceiptState

SALES_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Suggestion:
    product: Product
    warehouse: Warehouse
    supplier: Party | None
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal  # stock units still open on purchase orders
    daily_sales: Decimal  # average over the window
    lead_time_days: int
    quantity: Decimal  # stock units to order
    order_by: date  # the day to order so the stock does not go below the minimum (today when already due)
    days_late: int = 0  # how long ago that day was: the stock will dip below the minimum before goods arrive
    projected: Decimal = ZERO  # available plus on order, less what sells during the supplier's lead time
    stocked: bool = False  # the warehouse has kept the product (a balance, even zero): its stock can run out

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def shortfall(self) -> Decimal:
        """Stock units missing from the minimum at the end of the lead time (what covers the suggestion)."""
        return self.product.minimum_stock - self.projected


def _last_supplier():
    """The supplier a product was last ordered from (any order state), else the last one whose code for it
    was remembered: a correlated subquery on the product, one probe of each table's product index."""
    ordered = PurchaseOrderLine.objects.filter(product=OuterRef("pk")).order_by("-order_id", "-id")
    known = SupplierProduct.objects.filter(product=OuterRef("pk")).order_by("-updated_at", "-id")
    return Coalesce(Subquery(ordered.values("order__supplier_id")[:1]), Subquery(known.values("supplier_id")[:1]))


def reorder_suggestions(
    company, *, window_days: int = SALES_WINDOW_DAYS, today: date | None = None, product_ids=None
) -> list[Suggestion]:
    """Per product with a minimum and warehouse: what to buy so that the stock available plus what is on
    order, less what sells during the supplier's lead time, reaches the maximum (or twice the minimum).
    `product_ids` (ids or a subquery) limits it to those products. Six queries, each grouped in SQL.

    Sales velocity = stock that left the warehouse to customers in the last `window_days`."""
    today = today or timezone.localdate()
    products = Product.objects.filter(
        company=company,
        is_active=True,
        minimum_stock__gt=0,
        product_type=ProductType.GOODS,
        is_variant_parent=False,
    )
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    products = {p.pk: p for p in products.annotate(last_supplier_id=_last_supplier())}
    if not products:
        return []
    warehouses = {w.pk: w for w in Warehouse.objects.filter(company=company, is_active=True)}
    stock = {
        (row["product_id"], row["warehouse_id"]): (row["on_hand"], row["reserved"])
        for row in StockBalance.objects.filter(
            company=company, product_id__in=products, location__kind=LocationKind.INTERNAL
        )
        .values("product_id", "warehouse_id")
        .annotate(on_hand=DecimalSum("on_hand", default=ZERO), reserved=DecimalSum("reserved", default=ZERO))
    }
    on_order: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for row in (
        PurchaseOrderLine.objects.filter(
            order__company=company, product_id__in=products, order__state__in=(*RECEIVABLE_STATES, OrderState.DRAFT)
        )
        .values("product_id", "order__warehouse_id")
        .annotate(open=DecimalSum(DecimalMul(DecimalSub("quantity", "received_quantity"), "factor"), default=ZERO))
    ):
        on_order[(row["product_id"], row["order__warehouse_id"])] = row["open"]
    since = timezone.now() - timedelta(days=window_days)
    sold = {
        (row["product_id"], row["from_location__warehouse_id"]): row["total"]
        for row in StockMove.objects.filter(
            company=company,
            product_id__in=products,
            to_location__kind=LocationKind.CUSTOMER,
            from_location__kind=LocationKind.INTERNAL,
            created_at__gte=since,
        )
        .values("product_id", "from_location__warehouse_id")
        .annotate(total=DecimalSum("quantity", default=ZERO))
    }
    suppliers = Party.objects.in_bulk({p.last_supplier_id for p in products.values()} - {None})

    result = []
    for product in products.values():
        supplier = suppliers.get(product.last_supplier_id)
        lead = supplier.lead_time_days if supplier else 0
        for warehouse in warehouses.values():
            key = (product.pk, warehouse.pk)
            on_hand, reserved = stock.get(key, (ZERO, ZERO))
            daily = quantity(sold.get(key, ZERO) / window_days)
            projected = on_hand - reserved + on_order[key] - daily * lead
            if projected >= product.minimum_stock:
                continue
            target = max(product.maximum_stock, product.minimum_stock * 2)
            wanted = target - projected
            factor = product.purchase_factor or Decimal(1)
            boxes = (wanted / factor).to_integral_value(rounding=ROUND_CEILING)  # whole purchase units
            # Days until the available stock reaches the minimum at the current sales (negative: it went
            # below that long ago, counted back no further than the sales window that says so); with no
            # sales, below the minimum now.
            days_left = int((on_hand - reserved - product.minimum_stock) / daily) if daily > 0 else 0
            days_left = max(days_left, -window_days)
            due = days_left - lead  # the day to order, counted from today
            result.append(
                Suggestion(
                    product=product,
                    warehouse=warehouse,
                    supplier=supplier,
                    on_hand=on_hand,
                    reserved=reserved,
                    on_order=on_order[key],
                    daily_sales=daily,
                    lead_time_days=lead,
                    quantity=quantity(boxes * factor),
                    order_by=today + timedelta(days=max(0, due)),
                    days_late=max(0, -due),
                    projected=projected,
                    stocked=key in stock,
                )
            )
    result.sort(key=lambda s: (s.order_by, s.product.sku, s.warehouse.code))
    return result


@dataclass(frozen=True)
class LateSupplier:
    supplier: Party
    orders: list[PurchaseOrder]

    @property
    def most_days_late(self) -> int:
        return max(o.days_late for o in self.orders)


def late_suppliers(company, *, today: date | None = None) -> list[LateSupplier]:
    """Suppliers with orders still open after their expected date, the latest first; one query."""
    today = today or timezone.localdate()
    orders = list(
        PurchaseOrder.objects.filter(company=company, state__in=RECEIVABLE_STATES, expected_date__lt=today)
        .select_related("supplier")
        .order_by("supplier_id", "expected_date", "id")
    )
    grouped: dict[int, list[PurchaseOrder]] = defaultdict(list)
    for order in orders:
        order.days_late = (today - order.expected_date).days
        grouped[order.supplier_id].append(order)
    result = [LateSupplier(group[0].supplier, group) for group in grouped.values()]
    result.sort(key=lambda s: (-s.most_days_late, s.supplier.legal_name))
    return result


PERFORMANCE_WINDOW_DAYS = 365


@dataclass(frozen=True)
class PriceVariation:
    receipt_id: int
    receipt_number: int
    order_number: int
    sku: str
    name: str
    posted_on: date
    ordered: Decimal  # cost per stock unit on the order (after its discount)
    invoiced: Decimal  # cost per stock unit on the receipt (after its discount), before taxes and charges
    stock_quantity: Decimal

    @property
    def difference(self) -> Decimal:
        return self.invoiced - self.ordered

    @property
    def percent(self) -> Decimal | None:
        return None if not self.ordered else (self.difference / self.ordered * 100).quantize(Decimal("0.01"))


@dataclass
class SupplierPerformance:
    """How a supplier delivered in the window: receipts against its orders, on time or late (posted
    after the order's expected date), the lead time from sending the order to posting the receipt, and
    what was invoiced against what was ordered."""

    supplier: Party
    receipts: int = 0  # receipts of its orders with an expected date
    on_time: int = 0
    days_late_total: int = 0
    lead_days: list[int] | None = None
    ordered_value: Decimal = ZERO  # the received quantities at the ordered price
    variance: Decimal = ZERO  # invoiced - ordered, for the same quantities
    variations: list[PriceVariation] | None = None  # lines whose price differs, newest first

    @property
    def late(self) -> int:
        return self.receipts - self.on_time

    @property
    def on_time_rate(self) -> Decimal | None:
        return None if not self.receipts else (Decimal(self.on_time) / self.receipts * 100).quantize(Decimal("0.1"))

    @property
    def average_days_late(self) -> Decimal | None:
        return None if not self.late else (Decimal(self.days_late_total) / self.late).quantize(Decimal("0.1"))

    @property
    def average_lead_days(self) -> Decimal | None:
        days = self.lead_days or []
        return None if not days else (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))

    @property
    def variance_percent(self) -> Decimal | None:
        return None if not self.ordered_value else (self.variance / self.ordered_value * 100).quantize(Decimal("0.01"))


def supplier_performance(
    company, *, supplier_id: int | None = None, today: date | None = None, days: int = PERFORMANCE_WINDOW_DAYS
) -> list[SupplierPerformance]:
    """Per supplier with receipts against its orders posted in the last `days`, worst on-time rate first.
    Two queries whatever the number of suppliers, orders or lines."""
    today = today or timezone.localdate()
    since = today - timedelta(days=days)
    lines = ReceiptLine.objects.filter(
        receipt__company=company,
        receipt__state=ReceiptState.POSTED,
        receipt__posted_at__date__gte=since,
        order_line__isnull=False,
    )
    if supplier_id is not None:
        lines = lines.filter(receipt__supplier_id=supplier_id)
    rows = lines.order_by("-receipt__posted_at", "-id").values_list(
        "receipt__supplier_id",
        "receipt_id",
        "receipt__number",
        "receipt__posted_at",
        "order_line__order__number",
        "order_line__order_id",
        "order_line__order__sent_at",
        "order_line__order__expected_date",
        "quantity",
        "unit_cost",
        "discount",
        "stock_quantity",
        "order_line__quantity",
        "order_line__unit_cost",
        "order_line__discount",
        "order_line__factor",
        "product__sku",
        "product__name",
    )
    result: dict[int, SupplierPerformance] = {}
    counted: set[tuple[int, int]] = set()  # (receipt, order): one delivery each
    suppliers = []
    for (
        supplier,
        receipt_id,
        receipt_number,
        posted_at,
        order_number,
        order_id,
        sent_at,
        expected,
        qty,
        unit_cost,
        discount,
        stock_qty,
        ordered_qty,
        ordered_cost,
        ordered_discount,
        ordered_factor,
        sku,
        name,
    ) in rows:
        if supplier not in result:
            result[supplier] = SupplierPerformance(supplier=None, lead_days=[], variations=[])
            suppliers.append(supplier)
        perf = result[supplier]
        posted_on = timezone.localdate(posted_at)
        if (receipt_id, order_id) not in counted:
            counted.add((receipt_id, order_id))
            if expected is not None:
                perf.receipts += 1
                if posted_on <= expected:
                    perf.on_time += 1
                else:
                    perf.days_late_total += (posted_on - expected).days
            if sent_at is not None:
                perf.lead_days.append(max(0, (posted_on - timezone.localdate(sent_at)).days))
        ordered = (ordered_qty * ordered_cost - ordered_discount) / (ordered_qty * ordered_factor)
        invoiced = (qty * unit_cost - discount) / stock_qty
        perf.ordered_value += ordered * stock_qty
        perf.variance += (invoiced - ordered) * stock_qty
        if quantity(invoiced) != quantity(ordered):
            perf.variations.append(
                PriceVariation(
                    receipt_id,
                    receipt_number,
                    order_number,
                    sku,
                    name,
                    posted_on,
                    ordered.quantize(Decimal("0.0001")),
                    invoiced.quantize(Decimal("0.0001")),
                    stock_qty,
                )
            )
    parties = Party.objects.filter(company=company).in_bulk(suppliers)
    for supplier, perf in result.items():
        perf.supplier = parties[supplier]
        perf.ordered_value, perf.variance = (
            perf.ordered_value.quantize(Decimal("0.01")),
            perf.variance.quantize(Decimal("0.01")),
        )
    return sorted(result.values(), key=lambda p: (p.on_time_rate is None, p.on_time_rate or 0, p.supplier.legal_name))
