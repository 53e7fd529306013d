"""The balance rows a posting, a reservation or a count changes: locked, allocated, written back.

Locking: balance rows are locked in one global order (product, location, lot) by every path that
changes them (moves, reservations, counts), then average-cost rows by product. A transaction never
waits for a balance while holding a cost row, so two postings cannot deadlock. On SQLite the
IMMEDIATE transactions serialise writers and the same code is exact.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from retaguarda.core.bulk_insert import update_columns
from retaguarda.core.money import ZERO
from retaguarda.core.raw_rows import Columns, ids_in, per_vendor, prepared_cursor
from retaguarda.inventory.errors import Shortfall
from retaguarda.inventory.models import Location, LocationKind, Lot, StockBalance

BalanceKey = tuple[int, int, int]  # (product, location, lot_key)
PairKey = tuple[int, int]  # (product, location)


@dataclass
class Bucket:
    """One locked balance row and what this transaction has changed in it so far."""

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
class Pair:
    """Running availability of one (product, location) within a posting, for the shortfall report."""

    product_id: int
    location_id: int
    requested: Decimal = ZERO
    initial_available: Decimal | None = None
    short: bool = False


def allows_negative(location: Location) -> bool:
    return location.kind == LocationKind.INTERNAL and location.warehouse.allow_negative


def insert_missing(keys: set[BalanceKey], locations: dict[int, Location]) -> None:
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
                allow_negative=allows_negative(locations[loc]),
            )
            for product_id, loc, lot_key in sorted(keys)
        ],
        ignore_conflicts=True,
    )


class _LockSql:
    """The balance rows of some (product, location) pairs, locked in the global order: written by hand
    because the ORM's SELECT ... FOR UPDATE cost a reservation more CPU than the database spent on it."""

    def __init__(self):
        qn = connection.ops.quote_name
        self.columns = Columns(StockBalance, "b")
        self.head = f"SELECT {self.columns.sql} FROM {qn(StockBalance._meta.db_table)} b "
        # PostgreSQL locks the rows as the sort hands them over, so the order is the lock order.
        # SQLite has no row locks: the IMMEDIATE transaction already holds the database's write lock.
        self.tail = " ORDER BY b.product_id, b.location_id, b.lot_key"
        if connection.features.has_select_for_update:
            self.tail += " FOR UPDATE"


_lock_sql = per_vendor(_LockSql)


def lock_balances(pairs: set[PairKey]) -> dict[PairKey, list[Bucket]]:
    """Lock every balance row of these (product, location) pairs, in the global order."""
    if not pairs:
        return {}
    sql, params = lock_statement(pairs)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_lock_sql().columns.build(values) for values in cursor.fetchall()]
    return buckets_of(rows, pairs)


def lock_statement(pairs: set[PairKey]) -> tuple[str, list]:
    """The statement `lock_balances` runs, for a caller that sends it inside one of its own (its rows in
    `balance_columns()` order; `buckets_of` them then)."""
    st = _lock_sql()
    products, product_params = ids_in("b.product_id", sorted({p for p, _l in pairs}))
    locations, location_params = ids_in("b.location_id", sorted({loc for _p, loc in pairs}))
    # The same text for any number of pairs on PostgreSQL (`ids_in`): prepared once per connection.
    return f"{st.head}WHERE {products} AND {locations}{st.tail}", [*product_params, *location_params]


def balance_columns() -> Columns:
    """The balance rows' columns as `lock_balances` reads them (alias `b`), for a caller that reads the rows
    itself where nothing needs locking (`buckets_of`)."""
    return _lock_sql().columns


def buckets_of(rows: list[StockBalance], pairs: set[PairKey]) -> dict[PairKey, list[Bucket]]:
    """The buckets of these (product, location) pairs from their balance rows (others are left out), each
    pair's in FEFO order: what `lock_balances` gives once it has read them. Only where the rows cannot change
    before the transaction ends without a lock (SQLite: its IMMEDIATE transaction holds the write lock)."""
    rows = sorted(rows, key=lambda r: (r.product_id, r.location_id, r.lot_key))  # the lock order's
    lot_ids = {r.lot_id for r in rows if r.lot_id}
    expiries = dict(Lot.objects.filter(pk__in=lot_ids).values_list("pk", "expiry")) if lot_ids else {}
    buckets: dict[PairKey, list[Bucket]] = defaultdict(list)
    for row in rows:
        if (row.product_id, row.location_id) in pairs:
            buckets[(row.product_id, row.location_id)].append(Bucket(row, expiries.get(row.lot_id)))
    for bucket_list in buckets.values():
        bucket_list.sort(key=Bucket.fefo_key)
    return buckets


def by_balance_key(buckets: dict[PairKey, list[Bucket]]) -> dict[BalanceKey, Bucket]:
    return {b.balance.key: b for bl in buckets.values() for b in bl}


def late_bucket(product_id, location, lot_key, locations, buckets, by_key) -> Bucket:
    """A row that did not exist when the locks were taken (a lot that arrived meanwhile): create and lock it."""
    insert_missing({(product_id, location.pk, lot_key)}, locations)
    row = StockBalance.objects.select_for_update().get(location_id=location.pk, product_id=product_id, lot_key=lot_key)
    bucket = by_key.get(row.key)
    if bucket is None:
        bucket = Bucket(row, None)
        by_key[row.key] = bucket
        buckets.setdefault((product_id, location.pk), []).append(bucket)
    return bucket


def allocate(
    buckets: list[Bucket], qty: Decimal, lot_key: int | None, allow_negative: bool
) -> tuple[list[tuple[Bucket | None, Decimal]], bool]:
    """Split `qty` over the buckets (FEFO, or the one lot asked for). Returns the parts and whether it fits.

    When it does not fit and negative stock is allowed, the rest is taken from the stock without a lot
    (returned with bucket None when that row does not exist yet)."""
    parts: list[tuple[Bucket | None, Decimal]] = []
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


def claim(
    report: dict[PairKey, Pair],
    buckets: dict[PairKey, list[Bucket]],
    product_id: int,
    location_id: int,
    qty: Decimal,
    lot_key: int | None,
    allow_negative: bool,
) -> list[tuple[Bucket | None, Decimal]] | None:
    """Allocate `qty` of a product at a location and note it in the shortfall report; None when short.

    The report keeps what was available before the first claim of the pair, so that one error can list
    every product short with the quantities the user knows."""
    pair_key = (product_id, location_id)
    pair = report.setdefault(pair_key, Pair(product_id, location_id))
    pair_buckets = buckets.get(pair_key, [])
    if pair.initial_available is None:
        pair.initial_available = sum(
            (b.available for b in pair_buckets if lot_key is None or b.balance.lot_key == lot_key), ZERO
        )
    pair.requested += qty
    parts, fits = allocate(pair_buckets, qty, lot_key, allow_negative)
    if not fits:
        pair.short = True
        return None
    return parts


def shortfalls(report: dict[PairKey, Pair], products, locations) -> list[Shortfall]:
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
        for key, p in sorted(report.items())
        if p.short
    ]


BALANCE_COLUMNS = ("on_hand", "reserved")


def settled(buckets: Iterable[Bucket]) -> list[StockBalance]:
    """Each changed row with its bucket's deltas added (the deltas back to zero): the rows to write, their
    `BALANCE_COLUMNS` (`apply_balance_deltas`, or with other rows: `reserve`)."""
    changed = [b for b in buckets if b.on_hand_delta or b.reserved_delta]
    for b in changed:
        b.balance.on_hand += b.on_hand_delta
        b.balance.reserved += b.reserved_delta
        b.on_hand_delta = ZERO
        b.reserved_delta = ZERO
    return [b.balance for b in changed]


def apply_balance_deltas(buckets: Iterable[Bucket]) -> None:
    """Write the new quantities of the changed rows (one statement; SQLite: one per batch of its variables).

    The rows are locked (PostgreSQL) or the transaction holds the write lock (SQLite IMMEDIATE), so
    the values computed from what was read are exact. Writing values rather than `F() + delta` also
    keeps SQLite, whose NUMERIC arithmetic is binary floating point, from drifting by 1e-17."""
    update_columns(StockBalance, settled(buckets), BALANCE_COLUMNS)
