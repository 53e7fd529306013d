"""Reads shared by the API, the pages and the reports. Each page runs a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.decimal_sql import DecimalMul, DecimalNeg, DecimalSub, DecimalSum
from retaguarda.core.money import ZERO, amount, cost, quantity
from retaguarda.core.pagination import (
    COUNT_CAP,
    MAX_LIMIT,
    Window,
    cursor_of,
    keyset_page,
    keyset_window,
    window_position,
)
from retaguarda.core.raw_rows import Columns, per_vendor, prepared_cursor
from retaguarda.inventory import kardex_sql
from retaguarda.inventory.models import (
    OWNED_KINDS,
    Location,
    LocationKind,
    Lot,
    ProductCost,
    Reservation,
    StockBalance,
    StockMove,
    StockPeriod,
    StockSnapshot,
    Warehouse,
)
from retaguarda.inventory.services.periods import (
    last_closed,
    move_totals,
    period_boundary,
    snapshot_totals,
)
from retaguarda.inventory.states import ReservationState

# Added to a moment before taking its date: the end of a day (23:59:59.999999) reaches the next midnight.
EPSILON = timedelta(microseconds=1)

QTY = DecimalField(max_digits=18, decimal_places=4)
VALUE = DecimalField(max_digits=28, decimal_places=6)
EXACT_VALUE = DecimalField(max_digits=30, decimal_places=10)  # quantity (4) x cost (6), unrounded


def _qty_sum(expression, **kwargs):
    return Coalesce(DecimalSum(expression, **kwargs), Value(ZERO), output_field=QTY)


# --------------------------------------------------------------------------------------------
# Balances per product and warehouse


@dataclass
class BalanceRow:
    product: Product
    warehouse: Warehouse
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal
    average_cost: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def value(self) -> Decimal:
        return amount(self.on_hand * self.average_cost)


class _WarehouseList:
    def __init__(self):
        self.columns = Columns(Warehouse, "w")
        self.text = (
            f"SELECT {self.columns.sql} FROM inventory_warehouse w WHERE w.company_id = %s ORDER BY w.code, w.id"
        )


_warehouse_list = per_vendor(_WarehouseList)


def warehouses(company) -> list[Warehouse]:
    """The company's warehouses by code, written by hand: every list page's filter reads them (the ORM's
    query cost a page 1 ms of CPU)."""
    st = _warehouse_list()
    with prepared_cursor() as cursor:
        cursor.execute(st.text, [company.pk])
        return [st.columns.build(row) for row in cursor.fetchall()]


BALANCE_ORDER = ("sku", "product_id", "warehouse_id")


def balances(
    company,
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int = 50,
    warehouses: list[Warehouse] | None = None,
) -> tuple[list[BalanceRow], str | None]:
    """One row per (product, warehouse) with stock, reservations or goods in transit; 3 queries a page
    (2 when the caller passes the company's `warehouses`, as a page with a warehouse filter has them)."""
    grouped = _balance_groups(company, warehouse_id=warehouse_id, product_id=product_id, search=search)
    rows, next_cursor = keyset_page(grouped, cursor=cursor, limit=limit, ordering=BALANCE_ORDER)
    return _balance_rows(rows, warehouses), next_cursor


def balances_window(
    company,
    *,
    warehouse_id: int | None = None,
    search: str = "",
    cursor: str | None = None,
    limit: int = 50,
    warehouses: list[Warehouse] | None = None,
) -> tuple[Window, dict[str, Decimal]]:
    """`balances` for a screen: the page, the ways to both neighbours, the number of rows and the totals over
    every page (two queries: the page, then the count and the totals in one pass over the balances)."""
    grouped = _balance_groups(company, warehouse_id=warehouse_id, search=search)
    window = keyset_window(grouped, cursor=cursor, limit=limit, ordering=BALANCE_ORDER, count=False)
    window.rows = _balance_rows(window.rows, warehouses)
    totals = _balance_totals(grouped)
    rows = totals.pop("rows")
    window.total, window.more_than_total = min(rows, COUNT_CAP), rows > COUNT_CAP
    return window, totals


def _balance_totals(grouped) -> dict:
    """The rows of the balance list and its totals over every page, summed from its groups in one query."""
    avg = Coalesce(F("product__stock_cost__average_cost"), Value(ZERO), output_field=VALUE)
    valued = grouped.annotate(
        total_value=DecimalSum(
            DecimalMul("on_hand", avg), filter=Q(location__kind=LocationKind.INTERNAL), output_field=VALUE
        )
    )
    sums = valued.aggregate(
        rows=Count("*"),
        on_hand=DecimalSum("total_on_hand", output_field=QTY),
        reserved=DecimalSum("total_reserved", output_field=QTY),
        in_transit=DecimalSum("total_in_transit", output_field=QTY),
        value=DecimalSum("total_value", output_field=VALUE),
    )
    result = {name: quantity(sums[name] or ZERO) for name in ("on_hand", "reserved", "in_transit")}
    result["available"] = result["on_hand"] - result["reserved"]
    result["value"] = amount(sums["value"] or ZERO)
    result["rows"] = sums["rows"]
    return result


def _balance_groups(company, *, warehouse_id=None, product_id=None, search: str = ""):
    internal = Q(location__kind=LocationKind.INTERNAL)
    return (
        _balances_of(company, warehouse_id=warehouse_id, product_id=product_id, search=search)
        .values("product_id", "warehouse_id")
        .annotate(
            sku=F("product__sku"),
            total_on_hand=_qty_sum("on_hand", filter=internal),
            total_reserved=_qty_sum("reserved", filter=internal),
            total_in_transit=_qty_sum("on_hand", filter=Q(location__kind=LocationKind.TRANSIT)),
        )
        .exclude(total_on_hand=0, total_reserved=0, total_in_transit=0)
    )


def _balance_rows(rows: list[dict], warehouses: list[Warehouse] | None) -> list[BalanceRow]:
    products = Product.objects.select_related("stock_cost").in_bulk({r["product_id"] for r in rows})
    if warehouses is not None:
        houses = {w.pk: w for w in warehouses}
    else:
        houses = Warehouse.objects.in_bulk({r["warehouse_id"] for r in rows})
    return [
        BalanceRow(
            product=products[r["product_id"]],
            warehouse=houses[r["warehouse_id"]],
            on_hand=quantity(r["total_on_hand"]),
            reserved=quantity(r["total_reserved"]),
            in_transit=quantity(r["total_in_transit"]),
            average_cost=_average(products[r["product_id"]]),
        )
        for r in rows
    ]


def _balances_of(company, *, warehouse_id=None, product_id=None, search: str = ""):
    qs = StockBalance.objects.filter(company=company)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search) | Q(product__gtin=search))
    return qs


def _average(product: Product) -> Decimal:
    try:
        return product.stock_cost.average_cost
    except ProductCost.DoesNotExist:
        return ZERO


def product_warehouse_totals(product_id: int, warehouse_id: int) -> dict[str, Decimal]:
    qs = StockBalance.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
    internal = Q(location__kind=LocationKind.INTERNAL)
    totals = qs.aggregate(
        total_on_hand=_qty_sum("on_hand", filter=internal),
        total_reserved=_qty_sum("reserved", filter=internal),
        total_in_transit=_qty_sum("on_hand", filter=Q(location__kind=LocationKind.TRANSIT)),
    )
    return {name: quantity(totals[f"total_{name}"]) for name in ("on_hand", "reserved", "in_transit")}


def available_by_product(company_id: int, products) -> dict[int, Decimal]:
    """Available stock (on hand less reserved, every warehouse) of each product of a list page; a
    product with variations carries its variants' total. Two queries whatever the page size (one when
    no product of the page has variations)."""
    ids = [p.pk for p in products if not p.is_variant_parent]
    parents = [p.pk for p in products if p.is_variant_parent]
    internal = StockBalance.objects.filter(company_id=company_id, location__kind=LocationKind.INTERNAL)
    available = _qty_sum(DecimalSub("on_hand", "reserved"))
    found: dict[int, Decimal] = {}
    if ids:
        for r in internal.filter(product_id__in=ids).values("product_id").annotate(n=available).order_by():
            found[r["product_id"]] = quantity(r["n"])
    if parents:
        by_parent = internal.filter(product__parent_id__in=parents).values("product__parent_id")
        for r in by_parent.annotate(n=available).order_by():
            found[r["product__parent_id"]] = quantity(r["n"])
    return found


def product_stock(product: Product) -> dict:
    """The stock panel of a product page: every warehouse, its lots, the average cost. A product with
    variations shows the sum of its variants (it holds no stock of its own)."""
    own = Q(product__parent=product) if product.is_variant_parent else Q(product=product)
    warehouse_rows = (
        StockBalance.objects.filter(own)
        .values("warehouse_id", "warehouse__code", "warehouse__name")
        .annotate(
            total_on_hand=_qty_sum("on_hand", filter=Q(location__kind=LocationKind.INTERNAL)),
            total_reserved=_qty_sum("reserved", filter=Q(location__kind=LocationKind.INTERNAL)),
            total_in_transit=_qty_sum("on_hand", filter=Q(location__kind=LocationKind.TRANSIT)),
            lot_rows=Count("pk", filter=Q(location__kind=LocationKind.INTERNAL, lot__isnull=False) & ~Q(on_hand=0)),
        )
        .order_by("warehouse__code", "warehouse_id")
    )
    rows = [
        {
            "warehouse_id": r["warehouse_id"],
            "code": r["warehouse__code"],
            "name": r["warehouse__name"],
            "on_hand": quantity(r["total_on_hand"]),
            "reserved": quantity(r["total_reserved"]),
            "in_transit": quantity(r["total_in_transit"]),
            "available": quantity(r["total_on_hand"] - r["total_reserved"]),
        }
        for r in warehouse_rows
    ]
    lots = []
    if any(r["lot_rows"] for r in warehouse_rows):  # most products have no lots: no query for them
        lots = list(
            StockBalance.objects.filter(own, location__kind=LocationKind.INTERNAL, lot__isnull=False)
            .exclude(on_hand=0)
            .select_related("lot", "warehouse")
            .order_by("lot__expiry", "lot__code", "warehouse__code")
        )
    total = sum((r["on_hand"] for r in rows), ZERO)
    if product.is_variant_parent:  # each variant at its own average cost
        avg = Coalesce(F("product__stock_cost__average_cost"), Value(ZERO), output_field=VALUE)
        value = StockBalance.objects.filter(own, location__kind=LocationKind.INTERNAL).aggregate(
            v=Coalesce(DecimalSum(DecimalMul("on_hand", avg), output_field=VALUE), Value(ZERO), output_field=VALUE)
        )["v"]
        average = cost(value / total) if total else ZERO
    else:
        average = _average(product)  # no query when the caller read the product with select_related("stock_cost")
        value = total * average
    return {
        "rows": rows,
        "lots": lots,
        "average_cost": average,
        "on_hand": total,
        "available": sum((r["available"] for r in rows), ZERO),
        "value": amount(value),
        "of_variants": product.is_variant_parent,
    }


def kardex_product(company, product_id: int) -> tuple[Product, dict] | None:
    """The product of a kardex screen and its stock figures (`product_stock`'s totals, and the goods in
    transit) in one statement; None when the company has no such product. A product with variations
    (which holds no stock of its own) takes `product_stock`'s queries."""
    st = kardex_sql.header_sql()
    params = {
        "company": company.pk,
        "product": product_id,
        "internal": LocationKind.INTERNAL.value,
        "transit": LocationKind.TRANSIT.value,
    }
    with prepared_cursor() as cursor:
        cursor.execute(st.text, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(st.product)
    product = st.product.build(row[:width])
    if product.is_variant_parent:
        stock = product_stock(product)
        return product, {**stock, "in_transit": sum((r["in_transit"] for r in stock["rows"]), ZERO)}
    average, on_hand, reserved, in_transit = (st.read(v) for v in row[width:])
    on_hand, reserved = quantity(on_hand or ZERO), quantity(reserved or ZERO)
    average = average or ZERO
    return product, {
        "on_hand": on_hand,
        "available": on_hand - reserved,
        "in_transit": quantity(in_transit or ZERO),
        "average_cost": average,
        "value": amount(on_hand * average),
    }


# --------------------------------------------------------------------------------------------
# Balance at a past date, from the ledger


@dataclass
class PastBalance:
    product: Product
    on_hand: Decimal


def past_stock(company, at: datetime, *, warehouse_id: int | None = None):
    """The company's products annotated with `past_on_hand`, their stock on hand at `at` (in the warehouse,
    or in all the company's warehouses), those with none left out; 2 queries (the locations, the period).

    Each product's balance is its snapshot at the last period closed by `at` plus its moves dated
    after that period up to `at` (every move up to `at` when no period is closed yet)."""
    scope = Location.objects.filter(company=company, kind=LocationKind.INTERNAL)
    if warehouse_id:
        scope = scope.filter(warehouse_id=warehouse_id)
    scope_ids = list(scope.values_list("pk", flat=True))
    period = last_closed(company.pk, before=timezone.localtime(at + EPSILON).date())
    moves_qs = StockMove.objects.filter(company=company, product=OuterRef("pk"), created_at__lte=at).filter(
        Q(to_location_id__in=scope_ids) | Q(from_location_id__in=scope_ids)
    )
    qty_expr, _value = _signed(scope_ids)
    since = _per_product(moves_qs, qty_expr)
    total = Coalesce(Subquery(since, output_field=QTY), Value(ZERO), output_field=QTY)
    if period is not None:
        moves_qs = moves_qs.filter(created_at__gte=period_boundary(period.period_end))
        since = _per_product(moves_qs, qty_expr)
        held = _per_product(
            StockSnapshot.objects.filter(
                company=company, period_end=period.period_end, product=OuterRef("pk"), location_id__in=scope_ids
            ),
            F("on_hand"),
        )
        total = Coalesce(Subquery(held, output_field=QTY), Value(ZERO), output_field=QTY) + Coalesce(
            Subquery(since, output_field=QTY), Value(ZERO), output_field=QTY
        )
    return Product.objects.filter(company=company).annotate(past_on_hand=total).exclude(past_on_hand=0)


def balances_at(
    company,
    at: datetime,
    *,
    warehouse_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
    stock=None,
) -> tuple[list[PastBalance], str | None]:
    """One page of the stock on hand at `at` (`past_stock`, or the one given); 3 queries a page."""
    qs = stock if stock is not None else past_stock(company, at, warehouse_id=warehouse_id)
    rows, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, ordering=SKU_ORDER)
    return past_balances(rows), next_cursor


def past_balances(products) -> list[PastBalance]:
    """Rows of `past_stock` as the page shows them."""
    return [PastBalance(p, quantity(p.past_on_hand)) for p in products]


def past_stock_total(stock) -> Decimal:
    """The stock on hand of every page of `past_stock` (one query)."""
    return quantity(stock.aggregate(t=Coalesce(DecimalSum("past_on_hand"), Value(ZERO), output_field=QTY))["t"])


def _per_product(qs, expression):
    """`qs` (filtered on OuterRef("pk")) summed into one value per product, for a Subquery."""
    return qs.order_by().values("product_id").annotate(t=DecimalSum(expression, output_field=QTY)).values("t")


# --------------------------------------------------------------------------------------------
# Moves and the kardex


def moves(
    company,
    *,
    product_id: int | None = None,
    warehouse_id: int | None = None,
    source_type: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[StockMove], str | None]:
    qs = move_list(company, product_id=product_id, warehouse_id=warehouse_id, source_type=source_type)
    return keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))


def move_list(company, *, product_id: int | None = None, warehouse_id: int | None = None, source_type: str = ""):
    """The company's stock moves, filtered, with what a row shows joined (newest first by `-id`)."""
    qs = StockMove.objects.filter(company=company).select_related(
        "product", "lot", "from_location", "to_location", "user"
    )
    if product_id:
        qs = qs.filter(product_id=product_id)
    if warehouse_id:
        qs = qs.filter(Q(from_location__warehouse_id=warehouse_id) | Q(to_location__warehouse_id=warehouse_id))
    if source_type:
        qs = qs.filter(source_type=source_type)
    return qs


@dataclass
class KardexLine:
    move: StockMove | dict  # an instance (`kardex`), or a screen's row (`kardex_window`)
    quantity_in: Decimal
    quantity_out: Decimal
    balance: Decimal
    balance_value: Decimal
    unit_cost: Decimal

    @property
    def average_cost(self) -> Decimal:
        return cost(self.balance_value / self.balance) if self.balance > 0 else self.unit_cost


@dataclass
class Kardex:
    product: Product
    opening: Decimal
    opening_value: Decimal
    lines: list[KardexLine] = field(default_factory=list)
    next_cursor: str | None = None
    window: Window | None = None  # the screen's page (`kardex_window`): total and both neighbours


def _signed(scope):
    """The signed quantity and value of a move for `scope` (location ids, or a query of them)."""
    incoming = Q(to_location_id__in=scope) & ~Q(from_location_id__in=scope)
    outgoing = Q(from_location_id__in=scope) & ~Q(to_location_id__in=scope)
    qty = Case(
        When(incoming, then=F("quantity")),
        When(outgoing, then=DecimalNeg("quantity")),
        default=Value(ZERO),
        output_field=QTY,
    )
    value = Case(
        When(incoming, then=DecimalMul("quantity", "unit_cost")),
        When(outgoing, then=DecimalNeg(DecimalMul("quantity", "unit_cost"))),
        default=Value(ZERO),
        output_field=VALUE,
    )
    return qty, value


def kardex(
    company, product: Product, *, warehouse_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Kardex:
    """The product's moves oldest first with the running quantity and value (1 query for the first
    page, 2 for the next ones: the page and its opening balance).

    Without a warehouse the scope is the whole company (warehouses and goods in transit), so
    transfers show but do not change the running quantity."""
    qs, in_scope = _kardex_moves(company, product, warehouse_id)
    qs = qs.select_related("product", "lot", "from_location", "to_location", "user")
    rows, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, ordering=("id",))

    def flow(move: StockMove):
        into = in_scope(move.to_location.warehouse_id, move.to_location.kind)
        out_of = in_scope(move.from_location.warehouse_id, move.from_location.kind)
        return move.pk, move.quantity, move.unit_cost, into, out_of

    opening = _kardex_opening(company, product, warehouse_id, rows[0].pk) if rows and cursor else None
    result = _kardex_lines(product, rows, flow, opening)
    result.next_cursor = next_cursor
    return result


# The kardex's pager counts a product's moves up to here ("more than 1.000 records" past it): each move
# counted is a row read (its locations are not in the product's index), and a busy product's first page
# spent more time counting 10,000 than reading and showing its 50 rows.
KARDEX_COUNT_CAP = 1_000


def kardex_window(
    company, product: Product, *, warehouse_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Kardex:
    """`kardex` for a screen: pages both ways and counts the moves; each line's `move` is a dict of
    what the screen shows (`kardex_sql.KardexWindowSql.names`). One statement (`kardex_sql.KardexWindowSql`) reads the page, the count and the
    opening balance; a cursor back past the first move reads the first page with a second one."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    values, backwards = window_position(cursor, 1)
    st = kardex_sql.window_sql()
    params = {
        **_scope_params(company, product, warehouse_id),
        "in_order": True,
        "from_id": values[0] if values else 0,
        "taken": limit + 1,
        "shown": limit,
        "cap": KARDEX_COUNT_CAP + 1,
        "wanted": values is not None,
    }
    text = st.text["backward" if backwards else "forward", "warehouse" if warehouse_id else "company"]
    with prepared_cursor() as db:
        db.execute(text, params)
        found = db.fetchall()
    if backwards and found[0][5] is None:  # nothing before the cursor: the first page instead
        return kardex_window(company, product, warehouse_id=warehouse_id, limit=limit)
    counted, held_q, held_v, since_q, since_v = found[0][:5]
    moves, width = st.moves, len(st.moves)
    rows, more = [], False
    for row in found:
        if row[5] is None:
            continue
        if row[-1] > limit:  # the one move past the page (`rn`)
            more = True
            continue
        rows.append(dict(zip(st.names, (*moves.values(row[5 : 5 + width]), *row[5 + width : -1]), strict=True)))
    if not rows:
        window = Window(rows, None, None)
    elif backwards:
        window = Window(rows, cursor_of([rows[-1]["id"]]), cursor_of([rows[0]["id"]], back=True) if more else None)
    else:
        following = cursor_of([rows[-1]["id"]]) if more else None
        window = Window(rows, following, cursor_of([rows[0]["id"]], back=True) if values else None)
    window.total, window.more_than_total = min(counted, KARDEX_COUNT_CAP), counted > KARDEX_COUNT_CAP
    in_scope = _scope_test(warehouse_id)

    def flow(row: dict):
        into = in_scope(row["to_location__warehouse_id"], row["to_location__kind"])
        out_of = in_scope(row["from_location__warehouse_id"], row["from_location__kind"])
        return row["id"], row["quantity"], row["unit_cost"], into, out_of

    opening = None
    if window.previous_cursor is not None:  # the first page starts at the product's first move
        opening = {"q": sum((st.read(v) or ZERO for v in (held_q, since_q)), ZERO)}
        opening["v"] = sum((st.read(v) or ZERO for v in (held_v, since_v)), ZERO)
    result = _kardex_lines(product, rows, flow, opening)
    result.next_cursor, result.window = window.next_cursor, window
    return result


def _scope_params(company, product: Product, warehouse_id: int | None) -> dict:
    """The parameters of `kardex_sql.SCOPE` and of the product (the statements there)."""
    params = {"company": company.pk, "product": product.pk, "internal": LocationKind.INTERNAL.value}
    if warehouse_id:
        return {**params, "warehouse": warehouse_id}
    return {**params, "transit": LocationKind.TRANSIT.value}


def _scope_test(warehouse_id: int | None):
    """Whether a location (its warehouse, its kind) is in the kardex's scope: the warehouse's stock
    location, or any the company owns."""

    def in_scope(location_warehouse_id: int | None, kind: str) -> bool:
        if warehouse_id:
            return location_warehouse_id == warehouse_id and kind == LocationKind.INTERNAL
        return kind in OWNED_KINDS

    return in_scope


def _kardex_moves(company, product: Product, warehouse_id: int | None):
    """The product's moves in the kardex's scope (its location ids are a subquery: read by the database,
    not fetched first) and the same test in Python for the locations a page reads (warehouse, kind)."""
    scope = Location.objects.filter(company=company)
    scope = (
        scope.filter(warehouse_id=warehouse_id, kind=LocationKind.INTERNAL)
        if warehouse_id
        else scope.filter(kind__in=OWNED_KINDS)
    )
    scope_ids = scope.values("pk")
    qs = StockMove.objects.filter(company=company, product=product).filter(
        Q(to_location_id__in=scope_ids) | Q(from_location_id__in=scope_ids)
    )
    return qs, _scope_test(warehouse_id)


def _kardex_lines(product: Product, rows, flow, opening: dict | None) -> Kardex:
    """The running quantity and value along `rows`, from the `opening` balance (`q`, `v`; none before the
    product's first move); `flow(row)` reads a row's id, quantity, unit cost and whether it enters and
    leaves the scope."""
    opening = opening or {"q": ZERO, "v": ZERO}
    running, running_value = quantity(opening["q"]), Decimal(opening["v"])
    result = Kardex(product=product, opening=running, opening_value=amount(running_value))
    for row in rows:
        _id, moved, unit_cost, into, out_of = flow(row)
        q_in = moved if into and not out_of else ZERO
        q_out = moved if out_of and not into else ZERO
        running += q_in - q_out
        running_value += (q_in - q_out) * unit_cost
        result.lines.append(KardexLine(row, q_in, q_out, running, amount(running_value), unit_cost))
    return result


def _kardex_opening(company, product: Product, warehouse_id: int | None, first_id: int) -> dict:
    """The balance before move `first_id`, in one query (`kardex_sql.opening_ctes`)."""
    st = kardex_sql.opening_sql()
    params = {**_scope_params(company, product, warehouse_id), "in_order": True, "first": first_id}
    with connection.cursor() as cursor:
        cursor.execute(st.text["warehouse" if warehouse_id else "company"], params)
        held_q, held_v, since_q, since_v = (st.read(v) or ZERO for v in cursor.fetchone())
    return {"q": held_q + since_q, "v": held_v + since_v}


# --------------------------------------------------------------------------------------------
# Reports


@dataclass
class ValuationRow:
    warehouse: Warehouse
    products: int
    on_hand: Decimal
    value: Decimal
    in_transit: Decimal
    in_transit_value: Decimal


def valuation(company) -> list[ValuationRow]:
    """Stock value by warehouse at the current average cost (2 queries, whatever the size)."""
    avg = Coalesce(F("product__stock_cost__average_cost"), Value(ZERO), output_field=VALUE)
    internal = Q(location__kind=LocationKind.INTERNAL)
    transit = Q(location__kind=LocationKind.TRANSIT)
    grouped = (
        StockBalance.objects.filter(company=company)
        .values("warehouse_id")
        .annotate(
            total_on_hand=_qty_sum("on_hand", filter=internal),
            value=Coalesce(
                DecimalSum(DecimalMul("on_hand", avg), filter=internal, output_field=VALUE),
                Value(ZERO),
                output_field=VALUE,
            ),
            total_in_transit=_qty_sum("on_hand", filter=transit),
            in_transit_value=Coalesce(
                DecimalSum(DecimalMul("on_hand", avg), filter=transit, output_field=VALUE),
                Value(ZERO),
                output_field=VALUE,
            ),
            products=Sum(Case(When(internal & ~Q(on_hand=0), then=Value(1)), default=Value(0))),
        )
        .order_by("warehouse_id")
    )
    rows = {r["warehouse_id"]: r for r in grouped}
    result = []
    for warehouse in Warehouse.objects.filter(company=company).order_by("code", "id"):
        r = rows.get(warehouse.pk, {})
        result.append(
            ValuationRow(
                warehouse=warehouse,
                products=r.get("products") or 0,
                on_hand=quantity(r.get("total_on_hand") or ZERO),
                value=amount(r.get("value") or ZERO),
                in_transit=quantity(r.get("total_in_transit") or ZERO),
                in_transit_value=amount(r.get("in_transit_value") or ZERO),
            )
        )
    return result


def below_minimum(company, *, cursor: str | None = None, limit: int = 50) -> tuple[list[Product], str | None]:
    """Stocked products whose available stock (all warehouses) is below their minimum; 1 query a page.

    Each product carries `stock_on_hand`, `stock_reserved` and `available`."""
    return keyset_page(below_minimum_products(company), cursor=cursor, limit=limit, ordering=SKU_ORDER)


SKU_ORDER = ("sku", "id")


def below_minimum_products(company):
    """The query behind `below_minimum` (and the watch rule): products with `available` and `shortage`."""
    totals = StockBalance.objects.filter(product=OuterRef("pk"), location__kind=LocationKind.INTERNAL).values("product")
    on_hand = totals.annotate(t=DecimalSum("on_hand")).values("t")
    reserved = totals.annotate(t=DecimalSum("reserved")).values("t")
    return (
        Product.objects.filter(company=company, is_active=True, minimum_stock__gt=0, product_type=ProductType.GOODS)
        .filter(is_variant_parent=False)
        .annotate(
            stock_on_hand=Coalesce(Subquery(on_hand, output_field=QTY), Value(ZERO), output_field=QTY),
            stock_reserved=Coalesce(Subquery(reserved, output_field=QTY), Value(ZERO), output_field=QTY),
        )
        .annotate(available=DecimalSub("stock_on_hand", "stock_reserved"))
        .annotate(shortage=DecimalSub("minimum_stock", "available"))
        .filter(available__lt=F("minimum_stock"))
    )


def fefo(product_id: int, warehouse_id: int, wanted: Decimal) -> list[tuple[Lot | None, Decimal]]:
    """Which lots to issue first (first to expire, first out) to cover `wanted` units."""
    rows = (
        StockBalance.objects.filter(
            product_id=product_id, warehouse_id=warehouse_id, location__kind=LocationKind.INTERNAL
        )
        .filter(on_hand__gt=F("reserved"))
        .select_related("lot")
    )
    ordered = sorted(
        rows,
        key=lambda b: (
            b.lot_id is None,
            b.lot is None or b.lot.expiry is None,
            (b.lot and b.lot.expiry) or date.max,
            b.lot_key,
        ),
    )
    plan, remaining = [], wanted
    for b in ordered:
        if remaining <= 0:
            break
        take = min(b.available, remaining)
        plan.append((b.lot, take))
        remaining -= take
    return plan


def reservations(
    company, *, source_type: str = "", source_id: int | None = None, state: str = "", cursor=None, limit=50
):
    qs = Reservation.objects.filter(company=company).select_related("product", "location", "lot")
    if source_type:
        qs = qs.filter(source_type=source_type)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    if state:
        qs = qs.filter(state=state)
    return keyset_page(qs, cursor=cursor, limit=limit, ordering=("-id",))


# --------------------------------------------------------------------------------------------
# Ledger check


@dataclass(frozen=True)
class Drift:  # field is on_hand, reserved, cost_basis, or "snapshot YYYY-MM-DD on_hand|value"
    location_id: int
    product_id: int
    lot_key: int
    field: str
    stored: Decimal
    expected: Decimal


def drift(company_id: int | None = None) -> list[Drift]:
    """Recompute every balance from the ledger (on hand) and the active reservations (reserved)."""
    moves_qs = StockMove.objects.all()
    balances_qs = StockBalance.objects.all()
    reservations_qs = Reservation.objects.filter(state=ReservationState.ACTIVE)
    costs_qs = ProductCost.objects.all()
    if company_id is not None:
        moves_qs = moves_qs.filter(company_id=company_id)
        balances_qs = balances_qs.filter(company_id=company_id)
        reservations_qs = reservations_qs.filter(company_id=company_id)
        costs_qs = costs_qs.filter(company_id=company_id)
    owned = set(Location.objects.filter(kind__in=OWNED_KINDS).values_list("pk", flat=True))
    expected_on_hand: dict[tuple[int, int, int], Decimal] = {}
    for loc, pid, lot, total in (
        moves_qs.values("to_location_id", "product_id", "lot_id")
        .annotate(t=DecimalSum("quantity"))
        .values_list("to_location_id", "product_id", "lot_id", "t")
    ):
        if loc in owned:
            key = (loc, pid, lot or 0)
            expected_on_hand[key] = expected_on_hand.get(key, ZERO) + quantity(total)
    for loc, pid, lot, total in (
        moves_qs.values("from_location_id", "product_id", "lot_id")
        .annotate(t=DecimalSum("quantity"))
        .values_list("from_location_id", "product_id", "lot_id", "t")
    ):
        if loc in owned:
            key = (loc, pid, lot or 0)
            expected_on_hand[key] = expected_on_hand.get(key, ZERO) - quantity(total)
    expected_reserved: dict[tuple[int, int, int], Decimal] = {}
    for loc, pid, lot, total in (
        reservations_qs.values("location_id", "product_id", "lot_id")
        .annotate(t=DecimalSum("quantity"))
        .values_list("location_id", "product_id", "lot_id", "t")
    ):
        key = (loc, pid, lot or 0)
        expected_reserved[key] = expected_reserved.get(key, ZERO) + quantity(total)
    found: list[Drift] = []
    seen = set()
    owned_by_product: dict[int, Decimal] = {}
    for b in balances_qs.only("location_id", "product_id", "lot_key", "on_hand", "reserved"):
        key = (b.location_id, b.product_id, b.lot_key)
        seen.add(key)
        owned_by_product[b.product_id] = owned_by_product.get(b.product_id, ZERO) + b.on_hand
        if b.on_hand != expected_on_hand.get(key, ZERO):
            found.append(Drift(*key, "on_hand", b.on_hand, expected_on_hand.get(key, ZERO)))
        if b.reserved != expected_reserved.get(key, ZERO):
            found.append(Drift(*key, "reserved", b.reserved, expected_reserved.get(key, ZERO)))
    for key, value in expected_on_hand.items():
        if key not in seen and value:
            found.append(Drift(*key, "on_hand", ZERO, value))
    for key, value in expected_reserved.items():
        if key not in seen and value:
            found.append(Drift(*key, "reserved", ZERO, value))
    for c in costs_qs.only("product_id", "quantity"):
        if c.quantity != owned_by_product.get(c.product_id, ZERO):
            found.append(Drift(0, c.product_id, 0, "cost_basis", c.quantity, owned_by_product.get(c.product_id, ZERO)))
    return found + snapshot_drift(company_id)


def snapshot_drift(company_id: int | None = None) -> list[Drift]:
    """Check every closed period's snapshots against the moves dated up to its end.

    Periods are walked in order, adding each month's moves (one aggregate query per period) to a
    running total, so the whole ledger is read once. Quantities and values are compared exactly."""
    periods = StockPeriod.objects.order_by("company_id", "period_end")
    if company_id is not None:
        periods = periods.filter(company_id=company_id)
    found: list[Drift] = []
    running: dict[int, tuple[dict, dict]] = {}
    start: dict[int, datetime | None] = {}
    for period in periods:
        cid = period.company_id
        quantities, values = running.setdefault(cid, (defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)))
        end = period_boundary(period.period_end)
        month_q, month_v = move_totals(cid, start.get(cid), end)
        start[cid] = end
        for key, q in month_q.items():
            quantities[key] += q
            values[key] += month_v[key]
        stored_q, stored_v = snapshot_totals(cid, period.period_end)
        label = f"snapshot {period.period_end:%Y-%m-%d}"
        for key in sorted(set(quantities) | set(stored_q)):
            if stored_q.get(key, ZERO) != quantities.get(key, ZERO):
                found.append(Drift(*key, f"{label} on_hand", stored_q.get(key, ZERO), quantities.get(key, ZERO)))
            if stored_v.get(key, ZERO) != values.get(key, ZERO):
                found.append(Drift(*key, f"{label} value", stored_v.get(key, ZERO), values.get(key, ZERO)))
    return found
