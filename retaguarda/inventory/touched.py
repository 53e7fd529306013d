"""What one document changed of the stock, read once for every stock rule its change re-evaluates.

A confirmed order, a posted receipt, a count or a manual entry re-evaluates three rules (below minimum,
negative stock, reserved above on hand) for the products it moved or reserved. Each rule's own query,
narrowed to those products, cost a round trip and the SQL compiler's time, and finding the products and
their balances two more: here one hand-written statement (`core.raw_rows`) reads the products the document
touched with every balance of theirs, shared by the triggers and the rules through `watch.registry.shared`,
and the rules judge those few rows in Python (`rules.py`). The 15-minute run still finds each rule's
objects with its own set-based query; `tests/test_rules.py` holds both ways to the same findings."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from retaguarda.catalog.models import Product
from retaguarda.core.raw_rows import Columns, per_vendor
from retaguarda.inventory.models import (
    Location,
    LocationKind,
    Lot,
    ManualOperation,
    Reservation,
    StockBalance,
    StockCount,
    StockMove,
    TransferOrder,
    Warehouse,
)

# The documents whose changes move stock or reserve it, and the `source_type` of their moves and
# reservations (names only: inventory imports none of those apps).
SOURCES = {
    "sales.salesorder": ("sales.order",),
    "purchasing.receipt": ("purchasing.receipt",),
    ManualOperation._meta.label_lower: (ManualOperation.SOURCE_TYPE,),
    StockCount._meta.label_lower: (StockCount.SOURCE_TYPE,),
    TransferOrder._meta.label_lower: (TransferOrder.SOURCE_OUT, TransferOrder.SOURCE_IN),
}
PRODUCT_FIELDS = ("id", "sku", "name", "product_type", "minimum_stock", "is_active", "is_variant_parent")
BALANCE_FIELDS = ("id", "product_id", "on_hand", "reserved")


@dataclass
class Touched:
    """The products a document touched, each with all its balances (location, warehouse, lot attached)."""

    products: list[Product]
    balances: dict[int, list[StockBalance]]  # product id -> its balances

    def internal(self, product_id: int) -> list[StockBalance]:
        return [b for b in self.balances.get(product_id, ()) if b.location.kind == LocationKind.INTERNAL]

    def available(self, product_id: int) -> Decimal:
        """On hand less reserved over the product's internal locations (`selectors.below_minimum_products`)."""
        mine = self.internal(product_id)
        return sum((b.on_hand for b in mine), Decimal(0)) - sum((b.reserved for b in mine), Decimal(0))


class _Statement:
    def __init__(self):
        qn = connection.ops.quote_name
        self.product = Columns(Product, "p", PRODUCT_FIELDS)
        self.balance = Columns(StockBalance, "b", BALANCE_FIELDS)
        self.location = Columns(Location, "l", ("kind", "name"))
        self.warehouse = Columns(Warehouse, "w", ("code",))
        self.lot = Columns(Lot, "t", ("code",))
        table = {m: qn(m._meta.db_table) for m in (Product, StockBalance, Location, Warehouse, Lot)}
        self.head = (
            f"SELECT {self.product.sql}, {self.balance.sql}, {self.location.sql}, {self.warehouse.sql}, {self.lot.sql} "
            f"FROM {table[Product]} p "
            f"LEFT JOIN {table[StockBalance]} b ON b.product_id = p.id "
            f"LEFT JOIN {table[Location]} l ON l.id = b.location_id "
            f"LEFT JOIN {table[Warehouse]} w ON w.id = b.warehouse_id "
            f"LEFT JOIN {table[Lot]} t ON t.id = b.lot_id "
            "WHERE p.company_id = %s AND p.id IN ("
            f"SELECT r.product_id FROM {qn(Reservation._meta.db_table)} r "
            "WHERE r.company_id = %s AND r.source_id = %s AND r.source_type IN ({types}) "
            f"UNION SELECT m.product_id FROM {qn(StockMove._meta.db_table)} m "
            "WHERE m.company_id = %s AND m.source_id = %s AND m.source_type IN ({types})) "
            "ORDER BY p.id, b.id"
        )
        self.widths = [len(c) for c in (self.product, self.balance, self.location, self.warehouse, self.lot)]


_statement = per_vendor(_Statement)


def read(company_id: int, document_type: str, document_id: int) -> Touched:
    """One statement: the company's products the document reserved or moved (an index lookup each of
    reservations and moves by source), with their balances."""
    st, types = _statement(), SOURCES[document_type]
    marks = ", ".join(["%s"] * len(types))
    with connection.cursor() as cursor:
        cursor.execute(
            st.head.format(types=marks),
            [company_id, company_id, document_id, *types, company_id, document_id, *types],
        )
        rows = cursor.fetchall()
    products: dict[int, Product] = {}
    balances: dict[int, list[StockBalance]] = {}
    bounds, start = [], 0
    for width in st.widths:
        bounds.append((start, start + width))
        start += width
    (p0, p1), (b0, b1), (l0, l1), (w0, w1), (t0, t1) = bounds
    for row in rows:
        product = products.get(row[p0])
        if product is None:
            product = products[row[p0]] = st.product.build(row[p0:p1])
        if row[b0] is None:  # no balance yet
            continue
        balance = st.balance.build(row[b0:b1])
        balance.location = st.location.build(row[l0:l1])
        balance.warehouse = st.warehouse.build(row[w0:w1])
        balance.lot = st.lot.build(row[t0:t1]) if row[t0] is not None else None
        balances.setdefault(product.pk, []).append(balance)
    return Touched(list(products.values()), balances)
