"""Reservations hold stock for a document line; they mirror into `StockBalance.reserved`.

`reserve` takes every need or none, `release` gives the stock back, `consume` issues it (a sale
being invoiced) in the same transaction that closes the reservation.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import Rider, insert_instances
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import ZERO, quantity
from retaguarda.core.raw_rows import Columns, ids_in, per_vendor, prepared_cursor, unsaved
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.transactions import joined
from retaguarda.inventory.errors import AlreadyReserved, InsufficientStock
from retaguarda.inventory.models import Location, LocationKind, Reservation, StockBalance, StockMove
from retaguarda.inventory.ownership import check_owner
from retaguarda.inventory.services.balances import (
    BALANCE_COLUMNS,
    Bucket,
    Pair,
    PairKey,
    apply_balance_deltas,
    balance_columns,
    buckets_of,
    by_balance_key,
    claim,
    lock_balances,
    lock_statement,
    settled,
    shortfalls,
)
from retaguarda.inventory.services.lots import check_lots
from retaguarda.inventory.services.posting import STOCK_PRODUCT_FIELDS, MoveIn, Source, post_moves
from retaguarda.inventory.services.products import check_stocked, expand_kits
from retaguarda.inventory.services.warehouses import virtual_location
from retaguarda.inventory.states import ReservationState


@dataclass(frozen=True)
class Need:
    """A quantity of a product to reserve in a warehouse for a document line."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    source: Source
    lot_id: int | None = None


# What a reservation reads of a stock location; a caller that read it already hands it over (`reserve(stocks=)`).
STOCK_LOCATION_FIELDS = ("company_id", "warehouse_id", "kind", "name")


class _ReserveSql:
    """A reservation's own statements, written by hand: with the ORM, compiling them cost more CPU
    than everything else in the request (docs/request-cost.md). Built once per database vendor; their id
    lists are `ids_in`, so on PostgreSQL each text is the same for any number of lines and is prepared."""

    def __init__(self):
        qn = connection.ops.quote_name
        self.product = Columns(Product, "p", STOCK_PRODUCT_FIELDS)
        self.location = Columns(Location, "l", STOCK_LOCATION_FIELDS)
        self.product_table, self.location_table = qn(Product._meta.db_table), qn(Location._meta.db_table)
        self.no_location = ", ".join(["NULL"] * len(self.location))
        self.no_product = ", ".join(["NULL"] * len(self.product))
        # Where rows are not locked one by one (SQLite: the IMMEDIATE transaction already holds the write
        # lock), the balance rows come with the products and locations: one statement fewer.
        self.reads_balances = not connection.features.has_select_for_update
        self.balance = balance_columns()
        self.balance_types = tuple(f.db_type(connection) for f in self.balance.fields)
        self.no_balance = ", ".join(["NULL"] * len(self.balance))
        self.balance_table = qn(StockBalance._meta.db_table)
        table = qn(Reservation._meta.db_table)
        # The twin check rides on the first INSERT: nothing is written when the document's line already
        # holds an active reservation, so the refusal leaves the caller's transaction as it was. `+ 0`: the
        # index on (company, state) holds every active reservation of the company, and a planner whose
        # statistics are older than the table's rows chose it over the one on the source (a scan of them
        # all on every reservation); the source's index is the only one these conditions can use.
        self.twins = f"SELECT 1 FROM {table} r WHERE r.company_id + 0 = %s AND r.state = %s AND ({{sources}})"

    def locations(self, company_id: int, warehouse_ids, *, beside_products: bool = False) -> tuple[str, list]:
        """The stock (internal) location of each of these warehouses of the company (after NULL product
        columns when `beside_products`)."""
        warehouses, params = ids_in("l.warehouse_id", warehouse_ids)
        nulls = f"{self.no_product}, " if beside_products else ""
        sql = (
            f"SELECT {nulls}{self.location.sql} FROM {self.location_table} l "
            f"WHERE l.company_id = %s AND l.kind = %s AND {warehouses}"
        )
        return sql, [company_id, LocationKind.INTERNAL.value, *params]

    def products_and_locations(self, company_id: int, product_ids, warehouse_ids) -> tuple[str, list]:
        """The products and the stock locations in one round trip: each row is one or the other, the
        other's columns NULL (the product's id is never NULL). With `reads_balances`, the balance rows of
        these products in those locations too, after the locations' columns (their ids are never NULL)."""
        products, product_params = ids_in("p.id", product_ids)
        if not self.reads_balances:
            locations, location_params = self.locations(company_id, warehouse_ids, beside_products=True)
            sql = (
                f"SELECT {self.product.sql}, {self.no_location} FROM {self.product_table} p "
                f"WHERE p.company_id = %s AND {products} UNION ALL {locations}"
            )
            return sql, [company_id, *product_params, *location_params]
        warehouses, warehouse_params = ids_in("l.warehouse_id", warehouse_ids)
        balance_products, _same = ids_in("b.product_id", product_ids)
        stock = f"l.company_id = %s AND l.kind = %s AND {warehouses}"
        stock_params = [company_id, LocationKind.INTERNAL.value, *warehouse_params]
        sql = (
            f"SELECT {self.product.sql}, {self.no_location}, {self.no_balance} FROM {self.product_table} p "
            f"WHERE p.company_id = %s AND {products} "
            f"UNION ALL SELECT {self.no_product}, {self.location.sql}, {self.no_balance} "
            f"FROM {self.location_table} l WHERE {stock} "
            f"UNION ALL SELECT {self.no_product}, {self.no_location}, {self.balance.sql} FROM {self.balance_table} b "
            f"INNER JOIN {self.location_table} l ON l.id = b.location_id WHERE {stock} AND {balance_products}"
        )
        return sql, [company_id, *product_params, *stock_params, *stock_params, *product_params]


_reserve_sql = per_vendor(_ReserveSql)


def _products_and_locations(
    st: _ReserveSql,
    company_id: int,
    needs: Sequence[Need],
    products: dict[int, Product] | None,
    stocks: dict[int, Location] | None,
) -> tuple[dict[int, Product], dict[int, Location], list[StockBalance] | None]:
    """The company's products of the needs (unless the caller read them) and the stock location of
    each of its warehouses the needs name, by warehouse id (unless the caller read them too: then no query).
    Third, when the statement read them (`_ReserveSql.reads_balances`), the balance rows of the needs'
    products in those locations; else None."""
    warehouse_ids = sorted({n.warehouse_id for n in needs})
    if stocks is not None:
        stocks = _own_stocks(stocks, company_id)
        if products is not None and all(w in stocks for w in warehouse_ids):
            return dict(products), stocks, None
    balances = None
    if products is not None:
        sql, params = st.locations(company_id, warehouse_ids)
    else:
        sql, params = st.products_and_locations(company_id, sorted({n.product_id for n in needs}), warehouse_ids)
        balances = [] if st.reads_balances else None
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[int, Product] = dict(products) if products is not None else {}
    stocks: dict[int, Location] = {}
    n_product = 0 if products is not None else len(st.product)
    n_stock = n_product + len(st.location)
    for values in rows:
        if n_product and values[0] is not None:
            product = st.product.build(values[:n_product])
            found[product.pk] = product
        elif balances is None or values[n_product] is not None:
            location = st.location.build(values[n_product:n_stock])
            stocks[location.warehouse_id] = location
        else:
            balances.append(st.balance.build(values[n_stock:]))
    return found, stocks, balances


def _own_stocks(stocks: dict[int, Location], company_id: int) -> dict[int, Location]:
    """The caller's stock locations (by warehouse id) that are this company's stock location of that warehouse."""
    return {
        w: loc
        for w, loc in stocks.items()
        if (loc.company_id, loc.warehouse_id, loc.kind) == (company_id, w, LocationKind.INTERNAL)
    }


class BalanceLock(Rider):
    """The lock of the balance rows a `reserve` will take, sent by its caller inside a statement of its own
    (`core.bulk_insert.insert_together(rider=)`) and handed to it (`reserve(locked=)`): one round trip fewer.
    `pairs`: the (product, location) pairs whose rows it locks."""

    __slots__ = ("pairs",)

    def __init__(self, sql: str, params: list, types: tuple[str, ...], pairs: set[PairKey]):
        super().__init__(sql, params, types)
        self.pairs = pairs


def balance_lock(
    needs: Sequence[Need], *, actor: Actor, products: dict[int, Product] | None, stocks: dict[int, Location] | None
) -> BalanceLock | None:
    """On PostgreSQL, the lock `reserve(needs, products=, stocks=)` takes next (the same statement, so the
    rows are locked in the global order), for the caller to send ahead. None where `reserve` locks nothing
    itself (SQLite: it reads the rows) or would lock more than these products' rows (a kit's parts: then
    all in one lock, in the order), or where `stocks` does not hold every need's warehouse (it reads them)."""
    st = _reserve_sql()
    if st.reads_balances or not needs or products is None or stocks is None:
        return None
    stocks = _own_stocks(stocks, company_id_of(actor))
    for n in needs:
        product = products.get(n.product_id)
        if n.warehouse_id not in stocks or product is None or product.product_type == ProductType.KIT:
            return None
    pairs = {(n.product_id, stocks[n.warehouse_id].pk) for n in needs}
    return BalanceLock(*lock_statement(pairs), st.balance_types, pairs)


def reserve(
    needs: Sequence[Need],
    *,
    actor: Actor,
    owner: str | None = None,
    products: dict[int, Product] | None = None,
    stocks: dict[int, Location] | None = None,
    locked: BalanceLock | None = None,
) -> list[Reservation]:
    """Reserve every need or none; one `InsufficientStock` lists every product short.

    Reservations never oversell, even in a warehouse that allows negative stock. A source type an app
    registered (`inventory.ownership`) is reserved only with `owner=` that app. A warehouse that is not
    the actor's company's is `NotFound`; a product, a `ValidationFailed` naming it. `products`: the
    needs' products when the caller has read them already (by id, with at least
    `STOCK_PRODUCT_FIELDS`); their company is checked all the same. `stocks`: with `products`, the stock
    (internal) location of the needs' warehouses when the caller has read them too (by warehouse id, with
    `STOCK_LOCATION_FIELDS`; `sales.create_order` reads its channel's with the order's references): one
    statement fewer. A location of another company is not taken. `locked`: with both, their balance rows
    locked already by the caller (`balance_lock`, sent with its own rows): one more statement fewer.

    Three statements on either engine, whatever the number of needs (one more per 1,000 reservations
    beyond the first 1,000, and one when a need names a lot or a kit): the products and stock locations,
    the balance rows locked, the reservations inserted unless a twin holds one of their lines with the
    balances updated. On SQLite the balance rows come with the products and locations (no row locks: the
    IMMEDIATE transaction holds the write lock) and the balances' UPDATE is a statement of its own. With
    `locked` sent by the caller, the lock is not one of them."""
    if not needs:
        return []
    check_owner((n.source.type for n in needs), owner)
    company_id = company_id_of(actor)
    st = _reserve_sql()
    # Everything before the writes only reads, locks and checks: a refusal leaves a caller's
    # transaction as it was, so joining it needs no savepoint.
    with joined():
        asked = {n.product_id for n in needs}
        products, stocks, balances = _products_and_locations(st, company_id, needs, products, stocks)
        if any(n.warehouse_id not in stocks for n in needs):
            raise NotFound()
        unknown = {n.product_id for n in needs if getattr(products.get(n.product_id), "company_id", None) != company_id}
        if unknown:
            check_stocked(products, unknown, company_id)  # "Product N not found.", each of them
        check_lots(needs, company_id)
        needs = expand_kits(
            needs,
            products,
            lambda n, pid, qty: Need(
                product_id=pid,
                warehouse_id=n.warehouse_id,
                quantity=qty,
                source=n.source,
                lot_id=n.lot_id if pid == n.product_id else None,
            ),
        )
        check_stocked(products, {n.product_id for n in needs}, company_id)
        for n in needs:
            if n.quantity <= 0 or quantity(n.quantity) != n.quantity:
                raise ValidationFailed(
                    details=[{"field": "quantity", "message": _("Quantity must be positive (4 decimal places).")}]
                )

        pairs = {(n.product_id, stocks[n.warehouse_id].pk) for n in needs}
        if balances is not None and all(p in asked for p, _loc in pairs):
            buckets = buckets_of(balances, pairs)  # read with the products (a kit's parts were not)
        elif locked is not None:
            if locked.rows is None or not pairs <= locked.pairs:  # a second lock would break the order
                raise RuntimeError("reserve(locked=) takes the lock of its own pairs, once it has run")
            buckets = buckets_of([st.balance.build(values) for values in locked.rows], pairs)
        else:
            buckets = lock_balances(pairs)
        report: dict[PairKey, Pair] = {}
        planned: list[tuple[Need, Bucket, Decimal]] = []
        for n in needs:
            parts = claim(
                report, buckets, n.product_id, stocks[n.warehouse_id].pk, n.quantity, n.lot_id, allow_negative=False
            )
            for bucket, qty in parts or []:
                bucket.reserved_delta += qty
                planned.append((n, bucket, qty))
        short = shortfalls(report, products, {loc.pk: loc for loc in stocks.values()})
        if short:
            # A retry of a reservation already made finds the stock it took gone: say what happened.
            if _twin_exists(st, needs, company_id):
                raise AlreadyReserved()
            raise InsufficientStock(short)
        merged: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for n, bucket, qty in planned:
            merged[(n.source, n.product_id, bucket.balance.location_id, bucket.balance.lot_key)] += qty
        rows = [
            unsaved(
                Reservation,
                company_id=products[product_id].company_id,
                product_id=product_id,
                location_id=location_id,
                lot_id=lot_key or None,
                quantity=quantity(qty),
                source_type=source.type,
                source_id=source.id,
                source_line=source.line,
                user_id=actor.user_id,
            )
            for (source, product_id, location_id, lot_key), qty in merged.items()
        ]
        # The same line of the same product and place locks the same balance row, so a twin committed
        # meanwhile is seen by the first INSERT's check; an IntegrityError still spoils the whole
        # transaction (no savepoint), which is why it is raised rather than caught and carried on.
        with transaction.atomic(savepoint=False):
            try:
                inserted = _insert(st, rows, company_id, settled(by_balance_key(buckets).values()))
            except IntegrityError as exc:
                raise AlreadyReserved() from exc
        if not inserted:  # raised out here: nothing was written, the caller's transaction is untouched
            raise AlreadyReserved()
    # What was read on the way is what the caller shows: no second read of the rows just written.
    locations = {loc.pk: loc for loc in stocks.values()}
    for r in rows:
        r.product, r.location = products[r.product_id], locations[r.location_id]
    return rows


def _twin_condition(st: _ReserveSql, lines) -> tuple[str, list]:
    """The active reservations of these (source type, source id, line): the SELECT and its parameters
    after the company's id."""
    lines_of: dict[tuple[str, int], set[int]] = defaultdict(set)
    for source_type, source_id, line in lines:
        lines_of[(source_type, source_id)].add(line)
    # One condition per document, its lines in a list: an OR per line nests past SQLite's expression
    # depth limit (1,000) on an order of that many lines.
    sources, params = [], [ReservationState.ACTIVE.value]
    for (source_type, source_id), ls in lines_of.items():
        lines, line_params = ids_in("r.source_line", sorted(ls))
        sources.append(f"(r.source_type = %s AND r.source_id = %s AND {lines})")
        params += [source_type, source_id, *line_params]
    return st.twins.format(sources=" OR ".join(sources)), params


def _twin_exists(st: _ReserveSql, needs, company_id: int) -> bool:
    sql, params = _twin_condition(st, ((n.source.type, n.source.id, n.source.line) for n in needs))
    with prepared_cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", [company_id, *params])
        return cursor.fetchone() is not None


def _insert(st: _ReserveSql, rows: list[Reservation], company_id: int, balances: list[StockBalance]) -> bool:
    """INSERT the reservations and give each its id, and write their balances' new quantities (on
    PostgreSQL in the same statement); False, with nothing written, when an active twin already holds one
    of their document lines (the INSERT checks it: `insert_instances(unless=)`)."""
    twin_sql, twin_params = _twin_condition(st, ((r.source_type, r.source_id, r.source_line) for r in rows))
    return bool(
        insert_instances(
            Reservation,
            rows,
            unless=(twin_sql, [company_id, *twin_params]),
            and_update=(StockBalance, balances, BALANCE_COLUMNS),
        )
    )


def _active_reservations(
    company_id: int, source_type: str, source_id: int, source_line: int | None, reservation_id: int | None
):
    qs = scoped(Reservation, company_id).select_for_update().filter(state=ReservationState.ACTIVE)
    if reservation_id is not None:
        qs = qs.filter(pk=reservation_id)
    else:
        qs = qs.filter(source_type=source_type, source_id=source_id)
        if source_line is not None:
            qs = qs.filter(source_line=source_line)
    return list(qs.order_by("id"))


def release(
    source: Source | None = None,
    *,
    actor: Actor,
    whole_document: bool = False,
    reservation_id: int | None = None,
    company_id: int | None = None,
    owner: str | None = None,
) -> list[Reservation]:
    """Give back the stock held for a source line (or all lines of the document, or one reservation)
    of the actor's company (or `company_id`, for system work); `owner` as for `reserve`."""
    company_id = company_id_of(company_id or actor)
    if source is not None:
        check_owner([source.type], owner)
    with transaction.atomic():
        if reservation_id is not None:
            held = _active_reservations(company_id, "", 0, None, reservation_id)
            if not held and not scoped(Reservation, company_id).filter(pk=reservation_id).exists():
                raise NotFound()
        else:
            held = _active_reservations(
                company_id, source.type, source.id, None if whole_document else source.line, None
            )
        if not held:
            return []
        check_owner((r.source_type for r in held), owner)
        by_key = by_balance_key(lock_balances({(r.product_id, r.location_id) for r in held}))
        for r in held:
            by_key[(r.product_id, r.location_id, r.lot_key)].reserved_delta -= r.quantity
        apply_balance_deltas(by_key.values())
        now = timezone.now()
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(state=ReservationState.RELEASED, closed_at=now)
        for r in held:
            r.state, r.closed_at = ReservationState.RELEASED, now
    return held


def consume(
    source: Source,
    *,
    actor: Actor,
    to_location_id: int | None = None,
    whole_document: bool = False,
    owner: str | None = None,
) -> list[StockMove]:
    """Issue the stock reserved for a source line (a sale being invoiced): the reservation becomes
    `consumed` and moves go from the reserved lots to the customer (or `to_location_id`); `owner` as
    for `reserve`."""
    company_id = company_id_of(actor)
    check_owner([source.type], owner)
    with transaction.atomic():
        held = _active_reservations(company_id, source.type, source.id, None if whole_document else source.line, None)
        if not held:
            return []
        destination = to_location_id or virtual_location(held[0].company_id, LocationKind.CUSTOMER).pk
        release_keys: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
        moves = []
        for r in held:
            release_keys[(r.product_id, r.location_id, r.lot_key)] += r.quantity
            moves.append(
                MoveIn(
                    product_id=r.product_id,
                    quantity=r.quantity,
                    from_location_id=r.location_id,
                    to_location_id=destination,
                    source=Source(r.source_type, r.source_id, r.source_line),
                    lot_id=r.lot_id,
                    reason=_("Reserved stock issued"),
                )
            )
        created = post_moves(moves, actor=actor, release=dict(release_keys), exact_lots=True)
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(
            state=ReservationState.CONSUMED, closed_at=timezone.now()
        )
    return created
