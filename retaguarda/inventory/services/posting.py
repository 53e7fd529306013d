"""`post_moves`, the one writer of the stock ledger and of its balances and average costs.

A posting expands kits, locks the balance rows it touches (see `balances`), checks every shortfall at
once, inserts the moves (INSERT only: the ledger is append-only) and writes the new balances and
average costs, all in one transaction.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import insert_instances, update_columns
from retaguarda.core.money import ZERO, cost, quantity
from retaguarda.core.problems import Problems
from retaguarda.core.scope import company_id_of
from retaguarda.inventory.errors import AlreadyPosted, InsufficientStock
from retaguarda.inventory.models import Location, ProductCost, StockBalance, StockMove
from retaguarda.inventory.services.balances import (
    Pair,
    PairKey,
    allows_negative,
    apply_balance_deltas,
    by_balance_key,
    claim,
    insert_missing,
    late_bucket,
    lock_balances,
    shortfalls,
)
from retaguarda.inventory.services.costs import incoming_average, lock_cost_rows
from retaguarda.inventory.services.lots import check_lots
from retaguarda.inventory.services.products import check_stocked, expand_kits

# What postings and reservations read of a product (a narrow row is cheaper to load).
STOCK_PRODUCT_FIELDS = ("company_id", "sku", "name", "product_type", "is_variant_parent")


# Plain inputs, callable from other apps, importers and the benchmark without any ORM object.


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


def post_moves(
    moves: Sequence[MoveIn],
    *,
    actor: Actor,
    release: dict[tuple[int, int, int], Decimal] | None = None,
    exact_lots: bool = False,
) -> list[StockMove]:
    """Post moves in one transaction: lock, check every shortfall at once, write the ledger, update
    balances and average costs. Raises `InsufficientStock` listing every product short.

    `release`: reserved quantities by balance key to give back in the same transaction (consuming a
    reservation). `exact_lots`: `lot_id=None` means the stock without a lot, never a FEFO pick."""
    if not moves:
        return []
    company_id = company_id_of(actor)
    with transaction.atomic():
        product_ids = {m.product_id for m in moves}
        products = Product.objects.only(*STOCK_PRODUCT_FIELDS).in_bulk(product_ids)
        location_ids = {m.from_location_id for m in moves} | {m.to_location_id for m in moves}
        locations = Location.objects.select_related("warehouse").in_bulk(location_ids)
        _validate_moves(moves, products, locations, company_id)
        moves = expand_kits(
            moves,
            products,
            lambda m, pid, qty: MoveIn(
                product_id=pid,
                quantity=qty,
                from_location_id=m.from_location_id,
                to_location_id=m.to_location_id,
                source=m.source,
                lot_id=m.lot_id if pid == m.product_id else None,
                unit_cost=m.unit_cost if pid == m.product_id else None,
                reason=m.reason,
            ),
        )
        check_stocked(products, {m.product_id for m in moves}, company_id)
        check_lots(moves, company_id)

        # 1. Balance rows that may be written: insert-ignore them before taking any lock.
        pairs: set[PairKey] = set()
        fefo_pairs: set[PairKey] = set()

        def fefo(m: MoveIn) -> bool:
            return m.lot_id is None and not exact_lots and locations[m.from_location_id].is_owned

        for m in moves:
            if locations[m.from_location_id].is_owned:
                pairs.add((m.product_id, m.from_location_id))
                if fefo(m):
                    fefo_pairs.add((m.product_id, m.from_location_id))
            if locations[m.to_location_id].is_owned:
                pairs.add((m.product_id, m.to_location_id))
        source_lots: dict[PairKey, set[int]] = defaultdict(set)
        if fefo_pairs:
            for pid, loc, key in StockBalance.objects.filter(
                product_id__in={p for p, _l in fefo_pairs}, location_id__in={loc for _p, loc in fefo_pairs}
            ).values_list("product_id", "location_id", "lot_key"):
                source_lots[(pid, loc)].add(key)
        needed: set[tuple[int, int, int]] = set()
        for m in moves:
            src, dst = locations[m.from_location_id], locations[m.to_location_id]
            keys = source_lots[(m.product_id, src.pk)] | {0} if fefo(m) else {m.lot_id or 0}
            if src.is_owned and allows_negative(src):
                needed.add((m.product_id, src.pk, m.lot_id or 0))
            if dst.is_owned:
                needed.update((m.product_id, dst.pk, k) for k in keys)
        insert_missing(needed, locations)

        # 2. Lock in the global order, then allocate every move and collect every shortfall.
        buckets = lock_balances(pairs)
        by_key = by_balance_key(buckets)
        for key, qty in (release or {}).items():
            by_key[key].reserved_delta -= qty
        report: dict[PairKey, Pair] = {}
        planned: list[tuple[MoveIn, int, Decimal]] = []  # (move, lot_key, quantity)
        for m in moves:
            src = locations[m.from_location_id]
            if not src.is_owned:
                planned.append((m, m.lot_id or 0, m.quantity))
                continue
            wanted_lot = None if fefo(m) else (m.lot_id or 0)
            parts = claim(report, buckets, m.product_id, src.pk, m.quantity, wanted_lot, allows_negative(src))
            if parts is None:
                continue
            for bucket, qty in parts:
                lot_key = bucket.balance.lot_key if bucket is not None else (m.lot_id or 0)
                if bucket is None:
                    bucket = late_bucket(m.product_id, src, lot_key, locations, buckets, by_key)
                bucket.on_hand_delta -= qty
                planned.append((m, lot_key, qty))
        short = shortfalls(report, products, locations)
        if short:
            raise InsufficientStock(short)
        for m, lot_key, qty in planned:
            dst = locations[m.to_location_id]
            if dst.is_owned:
                bucket = by_key.get((m.product_id, dst.pk, lot_key)) or late_bucket(
                    m.product_id, dst, lot_key, locations, buckets, by_key
                )
                bucket.on_hand_delta += qty

        # 3. Average cost: incoming moves from outside recompute it; every other move takes it.
        crossing = {
            m.product_id
            for m, _k, _q in planned
            if locations[m.from_location_id].is_owned != locations[m.to_location_id].is_owned
        }
        costs = lock_cost_rows(crossing, {pid: products[pid].company_id for pid in crossing})
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
                    quantity=quantity(qty),
                    unit_cost=cost(unit_cost),
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
                created = insert_instances(StockMove, rows)  # no per-value ORM work (core.bulk_insert)
        except IntegrityError as exc:
            if "source" in str(exc).lower() or "unique" in str(exc).lower():
                raise AlreadyPosted() from exc
            raise
        apply_balance_deltas(by_key.values())
        update_columns(ProductCost, list(costs.values()), ("average_cost", "quantity"))
    # The rows read on the way go with the moves, so showing them needs no second read.
    for move in created:
        move.product = products[move.product_id]
        move.from_location, move.to_location = locations[move.from_location_id], locations[move.to_location_id]
        move.user = actor.user
    return created


def _validate_moves(
    moves: Sequence[MoveIn], products: dict[int, Product], locations: dict[int, Location], company_id: int
) -> None:
    """Every problem of the moves at once; another company's location or product is not found."""
    problems = Problems()
    for i, m in enumerate(moves):
        where = f"moves.{i}"
        if not isinstance(m.quantity, Decimal) or m.quantity <= 0 or quantity(m.quantity) != m.quantity:
            problems.add(f"{where}.quantity", _("Quantity must be positive (4 decimal places)."))
        if m.unit_cost is not None and (not isinstance(m.unit_cost, Decimal) or m.unit_cost < 0):
            problems.add(f"{where}.unit_cost", _("Cost cannot be negative."))
        src, dst = locations.get(m.from_location_id), locations.get(m.to_location_id)
        if src is None or dst is None or src.company_id != company_id or dst.company_id != company_id:
            problems.missing(f"{where}.location", _("Location not found."))
            continue
        if src.pk == dst.pk:
            problems.add(f"{where}.location", _("Origin and destination must differ."))
        if not src.is_owned and not dst.is_owned:
            problems.add(f"{where}.location", _("A move must enter or leave a warehouse."))
        product = products.get(m.product_id)
        if product is None or product.company_id != company_id:
            problems.missing(f"{where}.product_id", _("Product %(id)s not found.") % {"id": m.product_id})
    problems.raise_if_any()
