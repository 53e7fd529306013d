"""Every write of the inventory app. `post_moves` is the one writer of the ledger and its balances.

Locking: balance rows are locked in one global order (product, location, lot) by every path that
changes them (moves, reservations, counts), then average-cost rows by product. A transaction never
waits for a balance while holding a cost row, so two postings cannot deadlock. On SQLite the
IMMEDIATE transactions serialise writers and the same code is exact.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import KitComponent, Product, ProductType
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import ZERO, cost, quantity
from retaguarda.core.numbering import next_number
from retaguarda.core.states import transition
from retaguarda.core.versioning import lock_for_edit
from retaguarda.inventory.errors import (
    AlreadyPosted,
    AlreadyReserved,
    InsufficientStock,
    NegativeStockExists,
    Shortfall,
)
from retaguarda.inventory.models import (
    VIRTUAL_KINDS,
    Location,
    LocationKind,
    Lot,
    ManualOperation,
    ProductCost,
    Reservation,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    TransferLine,
    TransferOrder,
    Warehouse,
)
from retaguarda.inventory.states import CountState, ReservationState, TransferState

MAX_KIT_DEPTH = 5
_PRODUCT_FIELDS = ("company_id", "sku", "name", "product_type", "is_variant_parent")
UPDATE_BATCH = 500


# --------------------------------------------------------------------------------------------
# Plain inputs (callable from other apps, importers and the benchmark without any ORM object)


@dataclass(frozen=True)
class Source:
    """The document line that causes a move or a reservation: (`sales.order`, 12, 3)."""

    type: str
    id: int
    line: int = 0


@dataclass(frozen=True)
class MoveIn:
    """One move to post. `lot_id=None` on a move out of a warehouse means "any lot, first to expire
    first" (FEFO); on a move in from outside it means "no lot". `unit_cost` is used for moves entering
    the company (receipts); `None` takes the current average cost."""

    product_id: int
    quantity: Decimal
    from_location_id: int
    to_location_id: int
    source: Source
    lot_id: int | None = None
    unit_cost: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class Need:
    """A quantity of a product to reserve in a warehouse for a document line."""

    product_id: int
    warehouse_id: int
    quantity: Decimal
    source: Source
    lot_id: int | None = None


@dataclass
class _Bucket:
    balance: StockBalance
    expiry: date | None
    on_hand_delta: Decimal = ZERO
    reserved_delta: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        b = self.balance
        return (b.on_hand + self.on_hand_delta) - (b.reserved + self.reserved_delta)

    def fefo_key(self):
        # Lots expiring first, then lots without expiry, then stock without a lot.
        return (self.balance.lot_key == 0, self.expiry is None, self.expiry or date.max, self.balance.lot_key)


@dataclass
class _Pair:
    """Running availability of one (product, location) within a posting, for the shortfall report."""

    product_id: int
    location_id: int
    requested: Decimal = ZERO
    initial_available: Decimal | None = None
    short: bool = False


# --------------------------------------------------------------------------------------------
# Locations and warehouses


def virtual_location(company_id: int, kind: str) -> Location:
    """The company's location of a virtual kind (supplier, customer, adjustment, scrap), created once."""
    if kind not in VIRTUAL_KINDS:
        raise ValueError(kind)
    location = Location.objects.filter(company_id=company_id, kind=kind, warehouse__isnull=True).first()
    if location is not None:
        return location
    try:
        with transaction.atomic():
            return Location.objects.create(company_id=company_id, kind=kind, name=str(LocationKind(kind).label))
    except IntegrityError:
        return Location.objects.get(company_id=company_id, kind=kind, warehouse__isnull=True)


def stock_location(warehouse: Warehouse | int) -> Location:
    warehouse_id = warehouse.pk if isinstance(warehouse, Warehouse) else warehouse
    return Location.objects.get(warehouse_id=warehouse_id, kind=LocationKind.INTERNAL)


def transit_location(warehouse: Warehouse | int) -> Location:
    warehouse_id = warehouse.pk if isinstance(warehouse, Warehouse) else warehouse
    return Location.objects.get(warehouse_id=warehouse_id, kind=LocationKind.TRANSIT)


def _validate_warehouse(company_id: int, code: str, name: str, exclude_pk: int | None = None) -> None:
    details = []
    if not code.strip():
        details.append({"field": "code", "message": _("This field is required.")})
    if not name.strip():
        details.append({"field": "name", "message": _("This field is required.")})
    taken = Warehouse.objects.filter(company_id=company_id, code=code.strip()).exclude(pk=exclude_pk)
    if code.strip() and taken.exists():
        details.append({"field": "code", "message": _("Another warehouse already uses this code.")})
    if details:
        raise ValidationFailed(details=details)


def create_warehouse(*, actor: Actor, company_id: int, code: str, name: str, allow_negative: bool = False) -> Warehouse:
    """A warehouse with its stock location and its inbound transit location."""
    with transaction.atomic():
        _validate_warehouse(company_id, code, name)
        warehouse = Warehouse.objects.create(
            company_id=company_id, code=code.strip().upper(), name=name.strip(), allow_negative=allow_negative
        )
        Location.objects.create(
            company_id=company_id, warehouse=warehouse, kind=LocationKind.INTERNAL, name=warehouse.name
        )
        Location.objects.create(
            company_id=company_id,
            warehouse=warehouse,
            kind=LocationKind.TRANSIT,
            name=_("In transit to %(warehouse)s") % {"warehouse": warehouse.name},
        )
        for kind in VIRTUAL_KINDS:
            virtual_location(company_id, kind)
        audit.record_created(actor, warehouse)
    return warehouse


def update_warehouse(warehouse_id: int, *, actor: Actor, version: int | None, **fields) -> Warehouse:
    allowed = {"code", "name", "allow_negative", "active"}
    with transaction.atomic():
        qs = Warehouse.objects.all()
        if actor.company_id:
            qs = qs.filter(company_id=actor.company_id)
        warehouse = lock_for_edit(qs, warehouse_id, version)
        before = audit.snapshot(warehouse)
        for name, value in fields.items():
            if name in allowed and value is not None:
                setattr(warehouse, name, value.strip() if isinstance(value, str) else value)
        warehouse.code = warehouse.code.upper()
        _validate_warehouse(warehouse.company_id, warehouse.code, warehouse.name, exclude_pk=warehouse.pk)
        warehouse.version += 1
        warehouse.save()
        stock = stock_location(warehouse)
        if before["allow_negative"] != warehouse.allow_negative:
            if (
                not warehouse.allow_negative
                and StockBalance.objects.filter(location=stock, on_hand__lt=F("reserved")).exists()
            ):
                raise NegativeStockExists()
            StockBalance.objects.filter(location=stock).update(allow_negative=warehouse.allow_negative)
        Location.objects.filter(pk=stock.pk).update(name=warehouse.name)
        audit.record_changed(actor, warehouse, before)
    return warehouse


def lot_for(*, actor: Actor, product_id: int, code: str, expiry: date | None = None) -> Lot:
    """The product's lot with this code, created on first use (receipts name lots by code)."""
    code = code.strip()
    if not code:
        raise ValidationFailed(details=[{"field": "lot", "message": _("This field is required.")}])
    product = Product.objects.filter(pk=product_id).only("company_id").first()
    if product is None:
        raise NotFound()
    lot = Lot.objects.filter(product_id=product_id, code=code).first()
    if lot is None:
        try:
            with transaction.atomic():
                lot = Lot.objects.create(company_id=product.company_id, product_id=product_id, code=code, expiry=expiry)
                audit.record_created(actor, lot)
        except IntegrityError:
            lot = Lot.objects.get(product_id=product_id, code=code)
    if expiry is not None and lot.expiry != expiry:
        raise ValidationFailed(
            details=[
                {
                    "field": "expiry",
                    "message": _("Lot %(lot)s already exists with another expiry date.") % {"lot": code},
                }
            ]
        )
    return lot


# --------------------------------------------------------------------------------------------
# The engine: kits, locks, allocation, cost


def _expand_kits(items: Sequence, products: dict[int, Product], make) -> list:
    """Replace kit lines by their components (recursively); `make(item, product_id, factor)` builds one."""
    kit_ids = {i.product_id for i in items if products[i.product_id].product_type == ProductType.KIT}
    if not kit_ids:
        return list(items)
    components: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    depth = 0
    pending = set(kit_ids)
    while pending:
        depth += 1
        if depth > MAX_KIT_DEPTH:
            raise ValidationFailed(_("Kit nested too deep."))
        rows = list(KitComponent.objects.filter(kit_id__in=pending).values_list("kit_id", "component_id", "quantity"))
        new_ids = {c for _k, c, _q in rows} - set(products)
        if new_ids:
            products.update(Product.objects.in_bulk(new_ids))
        for kit_id, component_id, qty in rows:
            components[kit_id].append((component_id, qty))
        pending = {c for _k, c, _q in rows if products[c].product_type == ProductType.KIT} - set(components)
    out = []

    def expand(item, product_id, factor, level):
        if products[product_id].product_type != ProductType.KIT:
            out.append(make(item, product_id, factor))
            return
        if not components.get(product_id):
            raise ValidationFailed(
                _("Kit %(sku)s has no components.") % {"sku": products[product_id].sku},
            )
        for component_id, qty in components[product_id]:
            expand(item, component_id, factor * qty, level + 1)

    for item in items:
        expand(item, item.product_id, Decimal(1), 0)
    return out


def _check_stocked(products: dict[int, Product], ids: Iterable[int], company_id: int | None) -> None:
    details = []
    for pid in sorted(set(ids)):
        product = products.get(pid)
        if product is None or (company_id is not None and product.company_id != company_id):
            details.append({"field": "product_id", "message": _("Product %(id)s not found.") % {"id": pid}})
        elif not product.is_stocked:
            details.append(
                {"field": "product_id", "message": _("Product %(sku)s does not hold stock.") % {"sku": product.sku}}
            )
    if details:
        raise ValidationFailed(details=details)


def _lock_balances(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[_Bucket]]:
    """Lock every balance row of these (product, location) pairs, in the global order."""
    if not pairs:
        return {}
    product_ids = {p for p, _l in pairs}
    location_ids = {loc for _p, loc in pairs}
    rows = list(
        StockBalance.objects.select_for_update()
        .filter(product_id__in=product_ids, location_id__in=location_ids)
        .order_by("product_id", "location_id", "lot_key")
    )
    lot_ids = {r.lot_id for r in rows if r.lot_id}
    expiries = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "expiry")) if lot_ids else {}
    buckets: dict[tuple[int, int], list[_Bucket]] = defaultdict(list)
    for row in rows:
        if (row.product_id, row.location_id) in pairs:
            buckets[(row.product_id, row.location_id)].append(_Bucket(row, expiries.get(row.lot_id)))
    for bucket_list in buckets.values():
        bucket_list.sort(key=_Bucket.fefo_key)
    return buckets


def _insert_missing(keys: set[tuple[int, int, int]], locations: dict[int, Location]) -> None:
    """Insert-ignore the balance rows these (product, location, lot_key) keys need."""
    if not keys:
        return
    present = set(
        StockBalance.objects.filter(
            product_id__in={k[0] for k in keys}, location_id__in={k[1] for k in keys}
        ).values_list("product_id", "location_id", "lot_key")
    )
    keys = keys - present  # reading is cheaper than letting 1,000 inserts conflict
    if not keys:
        return
    StockBalance.objects.bulk_create(
        [
            StockBalance(
                company_id=locations[loc].company_id,
                warehouse_id=locations[loc].warehouse_id,
                location_id=loc,
                product_id=product_id,
                lot_id=lot_key or None,
                lot_key=lot_key,
                allow_negative=_allows_negative(locations[loc]),
            )
            for product_id, loc, lot_key in sorted(keys)
        ],
        ignore_conflicts=True,
    )


def _allows_negative(location: Location) -> bool:
    return location.kind == LocationKind.INTERNAL and location.warehouse.allow_negative


def _update_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """`UPDATE table SET col = v.col FROM (VALUES ...) v WHERE table.id = v.id`, batched.

    Written by hand because Django's `bulk_update` builds one CASE branch per row and field, which
    costs more than the whole rest of a 1,000-line posting. A CTE with a column list and UPDATE ...
    FROM are understood by PostgreSQL and by SQLite (3.33+) alike; CASTs give the VALUES their types."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = v.{connection.ops.quote_name(c)}" for c in columns)
    row_sql = "(CAST(%s AS BIGINT), " + ", ".join(["CAST(%s AS NUMERIC)"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPDATE_BATCH):
            batch = rows[start : start + UPDATE_BATCH]
            values = ", ".join([row_sql] * len(batch))
            cursor.execute(
                f"WITH v(id, {names}) AS (VALUES {values}) UPDATE {table} SET {sets} FROM v WHERE {table}.id = v.id",
                [str(x) if isinstance(x, Decimal) else x for row in batch for x in row],
            )


def _apply_balance_deltas(buckets: Iterable[_Bucket]) -> None:
    """Write the new quantities of the changed rows (one statement per 500 rows).

    The rows are locked (PostgreSQL) or the transaction holds the write lock (SQLite IMMEDIATE), so
    the values computed from what was read are exact. Writing values rather than `F() + delta` also
    keeps SQLite, whose NUMERIC arithmetic is binary floating point, from drifting by 1e-17."""
    changed = [b for b in buckets if b.on_hand_delta or b.reserved_delta]
    for b in changed:
        b.balance.on_hand += b.on_hand_delta
        b.balance.reserved += b.reserved_delta
        b.on_hand_delta = ZERO
        b.reserved_delta = ZERO
    _update_rows(
        StockBalance, ("on_hand", "reserved"), [(b.balance.pk, b.balance.on_hand, b.balance.reserved) for b in changed]
    )


def _shortfalls(pairs: dict[tuple[int, int], _Pair], products, locations) -> list[Shortfall]:
    return [
        Shortfall(
            product_id=p.product_id,
            sku=products[p.product_id].sku,
            name=products[p.product_id].name,
            location_id=p.location_id,
            warehouse_id=locations[p.location_id].warehouse_id,
            requested=p.requested,
            available=max(p.initial_available or ZERO, ZERO),
        )
        for key, p in sorted(pairs.items())
        if p.short
    ]


def _allocate(
    buckets: list[_Bucket], qty: Decimal, lot_key: int | None, allow_negative: bool
) -> tuple[list[tuple[_Bucket | None, Decimal]], bool]:
    """Split `qty` over the buckets (FEFO, or the one lot asked for). Returns the parts and whether it fits.

    When it does not fit and negative stock is allowed, the rest is taken from the stock without a lot
    (returned with bucket None when that row does not exist yet)."""
    parts: list[tuple[_Bucket | None, Decimal]] = []
    remaining = qty
    candidates = [b for b in buckets if lot_key is None or b.balance.lot_key == lot_key]
    for bucket in candidates:
        if remaining <= 0:
            break
        take = min(bucket.available, remaining)
        if take > 0:
            parts.append((bucket, take))
            remaining -= take
    if remaining <= 0:
        return parts, True
    if not allow_negative:
        return parts, False
    target_key = 0 if lot_key is None else lot_key
    for i, (bucket, taken) in enumerate(parts):
        if bucket is not None and bucket.balance.lot_key == target_key:
            parts[i] = (bucket, taken + remaining)
            return parts, True
    fallback = next((b for b in buckets if b.balance.lot_key == target_key), None)
    parts.append((fallback, remaining))
    return parts, True


def _cost_rows(product_ids: set[int], company_by_product: dict[int, int]) -> dict[int, ProductCost]:
    if not product_ids:
        return {}
    missing = product_ids - set(
        ProductCost.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )
    if missing:
        ProductCost.objects.bulk_create(
            [ProductCost(company_id=company_by_product[pid], product_id=pid) for pid in sorted(missing)],
            ignore_conflicts=True,
        )
    rows = ProductCost.objects.select_for_update().filter(product_id__in=product_ids).order_by("product_id")
    return {row.product_id: row for row in rows}


def incoming_average(basis: Decimal, average: Decimal, qty: Decimal, unit_cost: Decimal) -> Decimal:
    """Weighted average after `qty` arrive at `unit_cost` over `basis` units at `average`.

    With no stock (or negative stock) the incoming cost becomes the average."""
    if basis <= 0:
        return cost(unit_cost)
    return cost((basis * average + qty * unit_cost) / (basis + qty))


def post_moves(moves: Sequence[MoveIn], *, actor: Actor) -> list[StockMove]:
    """Post moves in one transaction: lock, check every shortfall at once, write the ledger, update
    balances and average costs. Raises `InsufficientStock` listing every product short."""
    return _post(moves, actor=actor)


def _post(
    moves: Sequence[MoveIn],
    *,
    actor: Actor,
    release: dict[tuple[int, int, int], Decimal] | None = None,
    exact_lots: bool = False,
) -> list[StockMove]:
    """`exact_lots`: `lot_id=None` means the stock without a lot, never a FEFO pick."""
    if not moves:
        return []
    with transaction.atomic():
        product_ids = {m.product_id for m in moves}
        products = Product.objects.only(*_PRODUCT_FIELDS).in_bulk(product_ids)
        location_ids = {m.from_location_id for m in moves} | {m.to_location_id for m in moves}
        locations = Location.objects.select_related("warehouse").in_bulk(location_ids)
        _validate_moves(moves, products, locations)
        company_id = locations[moves[0].from_location_id].company_id
        moves = _expand_kits(
            moves,
            products,
            lambda m, pid, factor: MoveIn(
                product_id=pid,
                quantity=m.quantity * factor,
                from_location_id=m.from_location_id,
                to_location_id=m.to_location_id,
                source=m.source,
                lot_id=m.lot_id if pid == m.product_id else None,
                unit_cost=m.unit_cost if pid == m.product_id else None,
                reason=m.reason,
            ),
        )
        _check_stocked(products, {m.product_id for m in moves}, company_id)
        lot_ids = {m.lot_id for m in moves if m.lot_id}
        if lot_ids:
            lots = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "product_id"))
            bad = [m for m in moves if m.lot_id and lots.get(m.lot_id) != m.product_id]
            if bad:
                raise ValidationFailed(
                    details=[{"field": "lot_id", "message": _("Lot does not belong to the product.")}]
                )

        # 1. Balance rows that may be written: insert-ignore them before taking any lock.
        pairs: set[tuple[int, int]] = set()
        fefo_pairs: set[tuple[int, int]] = set()

        def fefo(m: MoveIn) -> bool:
            return m.lot_id is None and not exact_lots and locations[m.from_location_id].is_owned

        for m in moves:
            if locations[m.from_location_id].is_owned:
                pairs.add((m.product_id, m.from_location_id))
                if fefo(m):
                    fefo_pairs.add((m.product_id, m.from_location_id))
            if locations[m.to_location_id].is_owned:
                pairs.add((m.product_id, m.to_location_id))
        source_lots: dict[tuple[int, int], set[int]] = defaultdict(set)
        if fefo_pairs:
            for pid, loc, key in StockBalance.objects.filter(
                product_id__in={p for p, _l in fefo_pairs}, location_id__in={loc for _p, loc in fefo_pairs}
            ).values_list("product_id", "location_id", "lot_key"):
                source_lots[(pid, loc)].add(key)
        needed: set[tuple[int, int, int]] = set()
        for m in moves:
            src, dst = locations[m.from_location_id], locations[m.to_location_id]
            keys = source_lots[(m.product_id, src.pk)] | {0} if fefo(m) else {m.lot_id or 0}
            if src.is_owned and _allows_negative(src):
                needed.add((m.product_id, src.pk, m.lot_id or 0))
            if dst.is_owned:
                needed.update((m.product_id, dst.pk, k) for k in keys)
        _insert_missing(needed, locations)

        # 2. Lock in the global order, then allocate every move and collect every shortfall.
        buckets = _lock_balances(pairs)
        by_key = {b.balance.key: b for bl in buckets.values() for b in bl}
        for key, qty in (release or {}).items():
            by_key[key].reserved_delta -= qty
        report: dict[tuple[int, int], _Pair] = {}
        planned: list[tuple[MoveIn, int, Decimal]] = []  # (move, lot_key, quantity)
        for m in moves:
            src, dst = locations[m.from_location_id], locations[m.to_location_id]
            if not src.is_owned:
                planned.append((m, m.lot_id or 0, m.quantity))
                continue
            pair_key = (m.product_id, src.pk)
            pair = report.setdefault(pair_key, _Pair(m.product_id, src.pk))
            pair_buckets = buckets.get(pair_key, [])
            wanted_lot = None if fefo(m) else (m.lot_id or 0)
            if pair.initial_available is None:
                pair.initial_available = sum(
                    (b.available for b in pair_buckets if wanted_lot is None or b.balance.lot_key == wanted_lot), ZERO
                )
            pair.requested += m.quantity
            parts, fits = _allocate(pair_buckets, m.quantity, wanted_lot, _allows_negative(src))
            if not fits:
                pair.short = True
                continue
            for bucket, qty in parts:
                lot_key = bucket.balance.lot_key if bucket is not None else (m.lot_id or 0)
                if bucket is None:
                    bucket = _late_bucket(m.product_id, src, lot_key, locations, buckets, by_key)
                bucket.on_hand_delta -= qty
                planned.append((m, lot_key, qty))
        shortfalls = _shortfalls(report, products, locations)
        if shortfalls:
            raise InsufficientStock(shortfalls)
        for m, lot_key, qty in planned:
            dst = locations[m.to_location_id]
            if dst.is_owned:
                bucket = by_key.get((m.product_id, dst.pk, lot_key)) or _late_bucket(
                    m.product_id, dst, lot_key, locations, buckets, by_key
                )
                bucket.on_hand_delta += qty

        # 3. Average cost: incoming moves from outside recompute it; every other move takes it.
        crossing = {
            m.product_id
            for m, _k, _q in planned
            if locations[m.from_location_id].is_owned != locations[m.to_location_id].is_owned
        }
        costs = _cost_rows(crossing, {pid: products[pid].company_id for pid in crossing})
        current = dict(
            ProductCost.objects.filter(product_id__in={m.product_id for m, _k, _q in planned} - crossing).values_list(
                "product_id", "average_cost"
            )
        )
        now = timezone.now()
        rows = []
        for m, lot_key, qty in planned:
            src_owned = locations[m.from_location_id].is_owned
            dst_owned = locations[m.to_location_id].is_owned
            row_cost = costs.get(m.product_id)
            average = row_cost.average_cost if row_cost is not None else current.get(m.product_id, ZERO)
            if not src_owned:  # entering the company
                unit_cost = cost(m.unit_cost) if m.unit_cost is not None else average
                row_cost.average_cost = incoming_average(row_cost.quantity, row_cost.average_cost, qty, unit_cost)
                row_cost.quantity += qty
            else:
                unit_cost = average
                if not dst_owned:  # leaving the company
                    row_cost.quantity -= qty
            rows.append(
                StockMove(
                    company_id=company_id,
                    product_id=m.product_id,
                    lot_id=lot_key or None,
                    from_location_id=m.from_location_id,
                    to_location_id=m.to_location_id,
                    quantity=qty,
                    unit_cost=unit_cost,
                    source_type=m.source.type,
                    source_id=m.source.id,
                    source_line=m.source.line,
                    reason=m.reason[:200],
                    user_id=actor.user_id,
                    origin=actor.origin,
                    created_at=now,
                )
            )

        # 4. Write: the ledger (INSERT only), the balances, the costs.
        try:
            with transaction.atomic():
                created = StockMove.objects.bulk_create(rows)
        except IntegrityError as exc:
            if "source" in str(exc).lower() or "unique" in str(exc).lower():
                raise AlreadyPosted() from exc
            raise
        _apply_balance_deltas(by_key.values())
        _update_rows(
            ProductCost, ("average_cost", "quantity"), [(c.pk, c.average_cost, c.quantity) for c in costs.values()]
        )
    return created


def _late_bucket(product_id, location, lot_key, locations, buckets, by_key) -> _Bucket:
    """A row that did not exist when the locks were taken (a lot that arrived meanwhile): create and lock it."""
    _insert_missing({(product_id, location.pk, lot_key)}, locations)
    row = StockBalance.objects.select_for_update().get(location_id=location.pk, product_id=product_id, lot_key=lot_key)
    bucket = by_key.get(row.key)
    if bucket is None:
        bucket = _Bucket(row, None)
        by_key[row.key] = bucket
        buckets.setdefault((product_id, location.pk), []).append(bucket)
    return bucket


def _validate_moves(moves: Sequence[MoveIn], products: dict[int, Product], locations: dict[int, Location]) -> None:
    details = []
    companies = set()
    for i, m in enumerate(moves):
        where = f"moves.{i}"
        if not isinstance(m.quantity, Decimal) or m.quantity <= 0 or quantity(m.quantity) != m.quantity:
            details.append(
                {"field": f"{where}.quantity", "message": _("Quantity must be positive (4 decimal places).")}
            )
        if m.unit_cost is not None and (not isinstance(m.unit_cost, Decimal) or m.unit_cost < 0):
            details.append({"field": f"{where}.unit_cost", "message": _("Cost cannot be negative.")})
        src, dst = locations.get(m.from_location_id), locations.get(m.to_location_id)
        if src is None or dst is None:
            details.append({"field": f"{where}.location", "message": _("Location not found.")})
            continue
        if src.pk == dst.pk:
            details.append({"field": f"{where}.location", "message": _("Origin and destination must differ.")})
        if not src.is_owned and not dst.is_owned:
            details.append({"field": f"{where}.location", "message": _("A move must enter or leave a warehouse.")})
        if m.product_id not in products:
            details.append(
                {"field": f"{where}.product_id", "message": _("Product %(id)s not found.") % {"id": m.product_id}}
            )
        companies.update({src.company_id, dst.company_id})
        if m.product_id in products:
            companies.add(products[m.product_id].company_id)
    if len(companies) > 1:
        details.append({"field": "moves", "message": _("Every product and location must belong to the same company.")})
    if details:
        raise ValidationFailed(details=details)


# --------------------------------------------------------------------------------------------
# Reservations


def reserve(needs: Sequence[Need], *, actor: Actor) -> list[Reservation]:
    """Reserve every need or none; one `InsufficientStock` lists every product short.

    Reservations never oversell, even in a warehouse that allows negative stock."""
    if not needs:
        return []
    with transaction.atomic():
        products = Product.objects.in_bulk({n.product_id for n in needs})
        warehouse_ids = {n.warehouse_id for n in needs}
        stocks = {
            loc.warehouse_id: loc
            for loc in Location.objects.select_related("warehouse").filter(
                warehouse_id__in=warehouse_ids, kind=LocationKind.INTERNAL
            )
        }
        missing = [n for n in needs if n.warehouse_id not in stocks or n.product_id not in products]
        if missing:
            raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("Warehouse or product not found.")}])
        needs = _expand_kits(
            needs,
            products,
            lambda n, pid, factor: Need(
                product_id=pid,
                warehouse_id=n.warehouse_id,
                quantity=n.quantity * factor,
                source=n.source,
                lot_id=n.lot_id if pid == n.product_id else None,
            ),
        )
        company_ids = {stocks[n.warehouse_id].company_id for n in needs} | {
            products[n.product_id].company_id for n in needs
        }
        if len(company_ids) > 1:
            raise ValidationFailed(_("Every product and warehouse must belong to the same company."))
        _check_stocked(products, {n.product_id for n in needs}, None)
        for n in needs:
            if n.quantity <= 0 or quantity(n.quantity) != n.quantity:
                raise ValidationFailed(
                    details=[{"field": "quantity", "message": _("Quantity must be positive (4 decimal places).")}]
                )
        sources = {(n.source.type, n.source.id, n.source.line) for n in needs}
        source_q = Q()
        for st, sid, sl in sources:
            source_q |= Q(source_type=st, source_id=sid, source_line=sl)

        pairs = {(n.product_id, stocks[n.warehouse_id].pk) for n in needs}
        buckets = _lock_balances(pairs)
        if Reservation.objects.filter(source_q, state=ReservationState.ACTIVE).exists():
            raise AlreadyReserved()
        report: dict[tuple[int, int], _Pair] = {}
        planned: list[tuple[Need, _Bucket, Decimal]] = []
        for n in needs:
            loc = stocks[n.warehouse_id]
            pair_key = (n.product_id, loc.pk)
            pair = report.setdefault(pair_key, _Pair(n.product_id, loc.pk))
            pair_buckets = buckets.get(pair_key, [])
            if pair.initial_available is None:
                pair.initial_available = sum(
                    (b.available for b in pair_buckets if n.lot_id is None or b.balance.lot_key == n.lot_id), ZERO
                )
            pair.requested += n.quantity
            parts, fits = _allocate(pair_buckets, n.quantity, n.lot_id, allow_negative=False)
            if not fits:
                pair.short = True
                continue
            for bucket, qty in parts:
                bucket.reserved_delta += qty
                planned.append((n, bucket, qty))
        shortfalls = _shortfalls(report, products, {loc.pk: loc for loc in stocks.values()})
        if shortfalls:
            raise InsufficientStock(shortfalls)
        merged: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for n, bucket, qty in planned:
            merged[(n.source, n.product_id, bucket.balance.location_id, bucket.balance.lot_key)] += qty
        rows = [
            Reservation(
                company_id=products[product_id].company_id,
                product_id=product_id,
                location_id=location_id,
                lot_id=lot_key or None,
                quantity=qty,
                source_type=source.type,
                source_id=source.id,
                source_line=source.line,
                user_id=actor.user_id,
            )
            for (source, product_id, location_id, lot_key), qty in merged.items()
        ]
        try:
            with transaction.atomic():
                created = Reservation.objects.bulk_create(rows)
        except IntegrityError as exc:
            raise AlreadyReserved() from exc
        _apply_balance_deltas([b for bl in buckets.values() for b in bl])
    return created


def _active_reservations(source_type: str, source_id: int, source_line: int | None, reservation_id: int | None):
    qs = Reservation.objects.select_for_update().filter(state=ReservationState.ACTIVE)
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
) -> list[Reservation]:
    """Give back the stock held for a source line (or all lines of the document, or one reservation)."""
    with transaction.atomic():
        if reservation_id is not None:
            held = _active_reservations("", 0, None, reservation_id)
            if not held and not Reservation.objects.filter(pk=reservation_id).exists():
                raise NotFound()
        else:
            held = _active_reservations(source.type, source.id, None if whole_document else source.line, None)
        if company_id is not None and any(r.company_id != company_id for r in held):
            raise NotFound()
        if not held:
            return []
        buckets = _lock_balances({(r.product_id, r.location_id) for r in held})
        by_key = {b.balance.key: b for bl in buckets.values() for b in bl}
        for r in held:
            by_key[(r.product_id, r.location_id, r.lot_key)].reserved_delta -= r.quantity
        _apply_balance_deltas(by_key.values())
        now = timezone.now()
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(state=ReservationState.RELEASED, closed_at=now)
        for r in held:
            r.state, r.closed_at = ReservationState.RELEASED, now
    return held


def consume(
    source: Source, *, actor: Actor, to_location_id: int | None = None, whole_document: bool = False
) -> list[StockMove]:
    """Issue the stock reserved for a source line (a sale being invoiced): the reservation becomes
    `consumed` and moves go from the reserved lots to the customer (or `to_location_id`)."""
    with transaction.atomic():
        held = _active_reservations(source.type, source.id, None if whole_document else source.line, None)
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
        created = _post(moves, actor=actor, release=dict(release_keys), exact_lots=True)
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(
            state=ReservationState.CONSUMED, closed_at=timezone.now()
        )
    return created


# --------------------------------------------------------------------------------------------
# Manual entries and exits


@dataclass(frozen=True)
class ManualLine:
    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    lot_id: int | None = None
    lot_code: str = ""
    expiry: date | None = None


ENTRY_COUNTERPARTS = (LocationKind.SUPPLIER, LocationKind.ADJUSTMENT, LocationKind.CUSTOMER)
EXIT_COUNTERPARTS = (LocationKind.CUSTOMER, LocationKind.ADJUSTMENT, LocationKind.SCRAP, LocationKind.SUPPLIER)


def _warehouse_of(actor: Actor, warehouse_id: int) -> Warehouse:
    qs = Warehouse.objects.filter(pk=warehouse_id)
    if actor.company_id:
        qs = qs.filter(company_id=actor.company_id)
    warehouse = qs.first()
    if warehouse is None:
        raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("Warehouse not found.")}])
    if not warehouse.active:
        raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("The warehouse is inactive.")}])
    return warehouse


def manual_move(
    *,
    actor: Actor,
    warehouse_id: int,
    direction: str,
    reason: str,
    lines: Sequence[ManualLine],
    counterpart: str | None = None,
) -> tuple[ManualOperation, list[StockMove]]:
    """A manual entry (from suppliers or adjustment) or exit (to customers, scrap or adjustment), with its reason."""
    details = []
    if direction not in ManualOperation.Direction.values:
        details.append({"field": "direction", "message": _("Invalid value.")})
    counterpart = counterpart or (LocationKind.ADJUSTMENT)
    allowed = ENTRY_COUNTERPARTS if direction == ManualOperation.Direction.ENTRY else EXIT_COUNTERPARTS
    if counterpart not in allowed:
        details.append({"field": "counterpart", "message": _("Invalid value.")})
    if not (reason or "").strip():
        details.append({"field": "reason", "message": _("Say why stock is entering or leaving.")})
    if not lines:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        warehouse = _warehouse_of(actor, warehouse_id)
        stock = stock_location(warehouse)
        other = virtual_location(warehouse.company_id, counterpart)
        op = ManualOperation.objects.create(
            company_id=warehouse.company_id,
            number=next_number("inventory.manual", company_id=warehouse.company_id),
            direction=direction,
            warehouse=warehouse,
            counterpart=counterpart,
            reason=reason.strip()[:200],
            user_id=actor.user_id,
        )
        moves = []
        for i, line in enumerate(lines, start=1):
            lot_id = line.lot_id
            if lot_id is None and line.lot_code:
                lot_id = lot_for(actor=actor, product_id=line.product_id, code=line.lot_code, expiry=line.expiry).pk
            entering = direction == ManualOperation.Direction.ENTRY
            moves.append(
                MoveIn(
                    product_id=line.product_id,
                    quantity=quantity(line.quantity) if isinstance(line.quantity, Decimal) else line.quantity,
                    from_location_id=other.pk if entering else stock.pk,
                    to_location_id=stock.pk if entering else other.pk,
                    source=Source(ManualOperation.SOURCE_TYPE, op.pk, i),
                    lot_id=lot_id,
                    unit_cost=line.unit_cost if entering else None,
                    reason=op.reason,
                )
            )
        created = _post(moves, actor=actor)
        audit.record_created(actor, op)
    return op, created


# --------------------------------------------------------------------------------------------
# Transfers


@dataclass(frozen=True)
class TransferLineIn:
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


def create_transfer(
    *, actor: Actor, from_warehouse_id: int, to_warehouse_id: int, lines: Sequence[TransferLineIn], notes: str = ""
) -> TransferOrder:
    details = []
    if from_warehouse_id == to_warehouse_id:
        details.append({"field": "to_warehouse_id", "message": _("Choose two different warehouses.")})
    if not lines:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    for i, line in enumerate(lines):
        if not isinstance(line.quantity, Decimal) or line.quantity <= 0:
            details.append(
                {"field": f"lines.{i}.quantity", "message": _("Quantity must be positive (4 decimal places).")}
            )
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        source = _warehouse_of(actor, from_warehouse_id)
        target = _warehouse_of(actor, to_warehouse_id)
        if source.company_id != target.company_id:
            raise ValidationFailed(details=[{"field": "to_warehouse_id", "message": _("Warehouse not found.")}])
        products = Product.objects.in_bulk({line.product_id for line in lines})
        _check_stocked(
            products,
            [
                p
                for p in {line.product_id for line in lines}
                if products.get(p) is None or products[p].product_type != ProductType.KIT
            ],
            source.company_id,
        )
        transfer = TransferOrder.objects.create(
            company_id=source.company_id,
            number=next_number("inventory.transfer", company_id=source.company_id),
            from_warehouse=source,
            to_warehouse=target,
            notes=notes.strip()[:200],
            created_by_id=actor.user_id,
        )
        TransferLine.objects.bulk_create(
            [
                TransferLine(
                    transfer=transfer, product_id=line.product_id, lot_id=line.lot_id, quantity=quantity(line.quantity)
                )
                for line in lines
            ]
        )
        from retaguarda.core.models import DocumentEvent

        DocumentEvent.objects.create(
            document_type=TransferOrder._meta.label_lower,
            document_id=transfer.pk,
            to_state=TransferState.DRAFT,
            user=actor.user,
            origin=actor.origin,
        )
        audit.record_created(actor, transfer)
    return transfer


def _scoped(model, actor: Actor):
    return model.objects.filter(company_id=actor.company_id) if actor.company_id else model.objects.all()


def ship_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    """Out of the origin now: the goods go to the destination's transit location."""
    with transaction.atomic():
        transfer = transition(
            TransferOrder, transfer_id, to=TransferState.SHIPPED, actor=actor, queryset=_scoped(TransferOrder, actor)
        )
        origin = stock_location(transfer.from_warehouse_id)
        transit = transit_location(transfer.to_warehouse_id)
        moves = [
            MoveIn(
                product_id=line.product_id,
                quantity=line.quantity,
                from_location_id=origin.pk,
                to_location_id=transit.pk,
                source=Source(TransferOrder.SOURCE_OUT, transfer.pk, line.pk),
                lot_id=line.lot_id,
                reason=str(transfer),
            )
            for line in transfer.lines.all()
        ]
        _post(moves, actor=actor)
        transfer.shipped_at = timezone.now()
        transfer.save(update_fields=["shipped_at", "updated_at"])
        audit.record(actor, transfer, "shipped")
    return transfer


def receive_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    """In on arrival: what left the origin (same products and lots) enters the destination."""
    with transaction.atomic():
        transfer = transition(
            TransferOrder, transfer_id, to=TransferState.RECEIVED, actor=actor, queryset=_scoped(TransferOrder, actor)
        )
        transit = transit_location(transfer.to_warehouse_id)
        target = stock_location(transfer.to_warehouse_id)
        shipped = StockMove.objects.filter(source_type=TransferOrder.SOURCE_OUT, source_id=transfer.pk).order_by("id")
        moves = [
            MoveIn(
                product_id=m.product_id,
                quantity=m.quantity,
                from_location_id=transit.pk,
                to_location_id=target.pk,
                source=Source(TransferOrder.SOURCE_IN, transfer.pk, m.source_line),
                lot_id=m.lot_id,
                reason=str(transfer),
            )
            for m in shipped
        ]
        merged: dict[tuple, MoveIn] = {}
        for m in moves:  # a line split over the same lot twice cannot happen, but stay safe
            key = (m.product_id, m.lot_id, m.source.line)
            if key in merged:
                prev = merged[key]
                merged[key] = MoveIn(**{**prev.__dict__, "quantity": prev.quantity + m.quantity})
            else:
                merged[key] = m
        _post(list(merged.values()), actor=actor, exact_lots=True)
        transfer.received_at = timezone.now()
        transfer.save(update_fields=["received_at", "updated_at"])
        audit.record(actor, transfer, "received")
    return transfer


def cancel_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    with transaction.atomic():
        transfer = transition(
            TransferOrder, transfer_id, to=TransferState.CANCELLED, actor=actor, queryset=_scoped(TransferOrder, actor)
        )
        audit.record(actor, transfer, "cancelled")
    return transfer


# --------------------------------------------------------------------------------------------
# Stock counts (balanço)


def create_count(
    *, actor: Actor, warehouse_id: int, product_ids: Sequence[int] | None = None, notes: str = ""
) -> StockCount:
    """A count of the whole warehouse (`product_ids` None) or of some products."""
    with transaction.atomic():
        warehouse = _warehouse_of(actor, warehouse_id)
        count = StockCount.objects.create(
            company_id=warehouse.company_id,
            number=next_number("inventory.count", company_id=warehouse.company_id),
            warehouse=warehouse,
            whole_warehouse=not product_ids,
            notes=notes.strip()[:200],
            created_by_id=actor.user_id,
        )
        if product_ids:
            products = Product.objects.in_bulk(set(product_ids))
            _check_stocked(products, set(product_ids), warehouse.company_id)
            StockCountLine.objects.bulk_create(
                [StockCountLine(count=count, product_id=pid) for pid in sorted(set(product_ids))]
            )
        from retaguarda.core.models import DocumentEvent

        DocumentEvent.objects.create(
            document_type=StockCount._meta.label_lower,
            document_id=count.pk,
            to_state=CountState.DRAFT,
            user=actor.user,
            origin=actor.origin,
        )
        audit.record_created(actor, count)
    return count


def start_count(count_id: int, *, actor: Actor) -> StockCount:
    """Counting starts: one line per product and lot in stock (or selected), with the quantity expected."""
    with transaction.atomic():
        count = transition(
            StockCount, count_id, to=CountState.COUNTING, actor=actor, queryset=_scoped(StockCount, actor)
        )
        location = stock_location(count.warehouse_id)
        balances = StockBalance.objects.filter(location=location)
        existing = list(count.lines.all())
        if not count.whole_warehouse:
            balances = balances.filter(product_id__in=[line.product_id for line in existing])
        else:
            balances = balances.exclude(on_hand=0, reserved=0)
        expected = {(b.product_id, b.lot_key): b for b in balances}
        by_key = {(line.product_id, line.lot_key): line for line in existing}
        new = []
        for (product_id, lot_key), b in sorted(expected.items()):
            line = by_key.get((product_id, lot_key))
            if line is None:
                new.append(
                    StockCountLine(
                        count=count, product_id=product_id, lot_id=b.lot_id, lot_key=lot_key, expected=b.on_hand
                    )
                )
            else:
                line.expected = b.on_hand
        StockCountLine.objects.bulk_update(
            [line for line in existing if (line.product_id, line.lot_key) in expected], ["expected"]
        )
        StockCountLine.objects.bulk_create(new)
    return count


@dataclass(frozen=True)
class CountEntry:
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


def _counting(count_id: int, actor: Actor) -> StockCount:
    count = _scoped(StockCount, actor).select_for_update().filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    if count.state != CountState.COUNTING:
        raise ValidationFailed(_("Quantities can only be entered while counting."))
    return count


def record_counts(
    count_id: int, entries: Sequence[CountEntry], *, actor: Actor, add: bool = False
) -> list[StockCountLine]:
    """Set (typed, uploaded) or add to (scanned) the counted quantity of lines."""
    with transaction.atomic():
        count = _counting(count_id, actor)
        products = Product.objects.in_bulk({e.product_id for e in entries})
        _check_stocked(products, {e.product_id for e in entries}, count.company_id)
        lines = {(line.product_id, line.lot_key): line for line in count.lines.select_for_update()}
        touched = {}
        details = []
        for e in entries:
            if not isinstance(e.quantity, Decimal) or e.quantity < 0 or quantity(e.quantity) != e.quantity:
                details.append({"field": "quantity", "message": _("Quantity cannot be negative (4 decimal places).")})
                continue
            key = (e.product_id, e.lot_id or 0)
            if e.lot_id is None and key not in lines:
                # Lot not named: the product's only line, when it has one.
                candidates = [line for (pid, _k), line in lines.items() if pid == e.product_id]
                if len(candidates) == 1:
                    key = (e.product_id, candidates[0].lot_key)
            line = lines.get(key)
            if line is None:
                if not count.whole_warehouse:
                    details.append(
                        {
                            "field": "product_id",
                            "message": _("%(sku)s is not in this count.") % {"sku": products[e.product_id].sku},
                        }
                    )
                    continue
                line = StockCountLine.objects.create(
                    count=count, product_id=e.product_id, lot_id=e.lot_id, lot_key=e.lot_id or 0
                )
                lines[key] = line
            line.counted = (line.counted or ZERO) + e.quantity if add else e.quantity
            touched[line.pk] = line
        if details:
            raise ValidationFailed(details=details)
        StockCountLine.objects.bulk_update(list(touched.values()), ["counted"])
    return list(touched.values())


def scan(count_id: int, code: str, *, actor: Actor) -> StockCountLine:
    """One barcode read: the product with this GTIN (or SKU) counts one more unit."""
    code = (code or "").strip()
    count = _scoped(StockCount, actor).filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    product = (
        Product.objects.filter(company_id=count.company_id, gtin=code).order_by("id").first()
        or Product.objects.filter(company_id=count.company_id, sku__iexact=code).order_by("id").first()
    )
    if product is None or not code:
        raise ValidationFailed(
            details=[{"field": "code", "message": _("No product with code %(code)s.") % {"code": code}}]
        )
    return record_counts(count_id, [CountEntry(product.pk, Decimal(1))], actor=actor, add=True)[0]


def parse_count_csv(count_id: int, text: str, *, actor: Actor) -> list[CountEntry]:
    """`SKU;quantity` per line (a header line and decimal commas are accepted); every error reported."""
    count = _scoped(StockCount, actor).filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    rows = []
    details = []
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip().lstrip("\ufeff")
        if not raw:
            continue
        parts = [p.strip() for p in raw.replace("\t", ";").split(";")]
        if len(parts) < 2:
            details.append({"field": f"line {number}", "message": _("Expected SKU;quantity.")})
            continue
        sku, qty_text = parts[0], parts[1].replace(".", "").replace(",", ".") if "," in parts[1] else parts[1]
        try:
            qty = Decimal(qty_text)
        except ArithmeticError:
            if number == 1:
                continue  # a header line
            details.append(
                {"field": f"line {number}", "message": _("Invalid quantity: %(value)s") % {"value": parts[1]}}
            )
            continue
        rows.append((number, sku, qty))
    skus = {sku.upper() for _n, sku, _q in rows}
    products = {
        p.sku.upper(): p.pk
        for p in Product.objects.filter(company_id=count.company_id, sku__in={s for _n, s, _q in rows})
    }
    if len(products) < len(skus):
        for p in Product.objects.filter(company_id=count.company_id).only("sku"):
            if p.sku.upper() in skus:
                products[p.sku.upper()] = p.pk
    entries = []
    for number, sku, qty in rows:
        pid = products.get(sku.upper())
        if pid is None:
            details.append({"field": f"line {number}", "message": _("No product with SKU %(sku)s.") % {"sku": sku}})
        else:
            entries.append(CountEntry(pid, qty))
    if details:
        raise ValidationFailed(details=details)
    return entries


def post_count(count_id: int, *, actor: Actor) -> StockCount:
    """Post the differences of every counted line as adjustment moves; uncounted lines change nothing."""
    with transaction.atomic():
        count = transition(StockCount, count_id, to=CountState.POSTED, actor=actor, queryset=_scoped(StockCount, actor))
        location = stock_location(count.warehouse_id)
        adjustment = virtual_location(count.company_id, LocationKind.ADJUSTMENT)
        lines = [line for line in count.lines.all() if line.counted is not None]
        buckets = _lock_balances({(line.product_id, location.pk) for line in lines})
        on_hand = {b.balance.key: b.balance.on_hand for bl in buckets.values() for b in bl}
        moves = []
        for line in lines:
            line.difference = line.counted - on_hand.get((line.product_id, location.pk, line.lot_key), ZERO)
            if line.difference:
                entering = line.difference > 0
                moves.append(
                    MoveIn(
                        product_id=line.product_id,
                        quantity=abs(line.difference),
                        from_location_id=adjustment.pk if entering else location.pk,
                        to_location_id=location.pk if entering else adjustment.pk,
                        source=Source(StockCount.SOURCE_TYPE, count.pk, line.pk),
                        lot_id=line.lot_id,
                        reason=str(count),
                    )
                )
        # Lines without a lot must hit the stock without a lot, not FEFO: post them lot-exact.
        _post_exact(moves, actor=actor)
        StockCountLine.objects.bulk_update(lines, ["difference"])
        count.posted_at = timezone.now()
        count.save(update_fields=["posted_at", "updated_at"])
        audit.record(actor, count, "posted", {"adjusted_lines": len(moves)})
    return count


def _post_exact(moves: list[MoveIn], *, actor: Actor) -> list[StockMove]:
    """Post moves whose `lot_id=None` means "the stock without a lot" on both sides."""
    return _post(moves, actor=actor, exact_lots=True) if moves else []


def cancel_count(count_id: int, *, actor: Actor) -> StockCount:
    with transaction.atomic():
        count = transition(
            StockCount, count_id, to=CountState.CANCELLED, actor=actor, queryset=_scoped(StockCount, actor)
        )
        audit.record(actor, count, "cancelled")
    return count
