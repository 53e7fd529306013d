"""Reads shared by the purchasing API and pages: reorder suggestions and late suppliers.

Each runs a fixed number of queries whatever the number of products, orders or warehouses."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import ZERO, quantity
from retaguarda.inventory.models import LocationKind, StockBalance, StockMove, Warehouse
from retaguarda.parties.models import Party
from retaguarda.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierProduct
from retaguarda.purchasing.states import RECEIVABLE_STATES, OrderState

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
    order_by: date  # the day to order so the stock does not go below the minimum

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def reorder_suggestions(
    company, *, window_days: int = SALES_WINDOW_DAYS, today: date | None = None
) -> list[Suggestion]:
    """Per product with a minimum and warehouse: what to buy so that the stock available plus what is on
    order, less what sells during the supplier's lead time, reaches the maximum (or twice the minimum).

    Sales velocity = stock that left the warehouse to customers in the last `window_days`."""
    today = today or timezone.localdate()
    products = {
        p.pk: p
        for p in Product.objects.filter(
            company=company,
            is_active=True,
            minimum_stock__gt=0,
            product_type=ProductType.GOODS,
            is_variant_parent=False,
        )
    }
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
    last_supplier: dict[int, int] = {}
    for product_id, warehouse_id, supplier_id, qty, received, factor, state in (
        PurchaseOrderLine.objects.filter(order__company=company, product_id__in=products)
        .order_by("order_id", "id")
        .values_list(
            "product_id",
            "order__warehouse_id",
            "order__supplier_id",
            "quantity",
            "received_quantity",
            "factor",
            "order__state",
        )
    ):
        last_supplier[product_id] = supplier_id
        if state in RECEIVABLE_STATES or state == OrderState.DRAFT:
            on_order[(product_id, warehouse_id)] += (qty - received) * factor
    for product_id, supplier_id in (
        SupplierProduct.objects.filter(company=company, product_id__in=products)
        .order_by("updated_at", "id")
        .values_list("product_id", "supplier_id")
    ):
        last_supplier.setdefault(product_id, supplier_id)
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
    suppliers = Party.objects.in_bulk(set(last_supplier.values()))

    result = []
    for product in products.values():
        supplier = suppliers.get(last_supplier.get(product.pk))
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
            days_left = int((on_hand - reserved - product.minimum_stock) / daily) if daily > 0 else 0
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
                    order_by=today + timedelta(days=max(0, days_left - lead)),
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
