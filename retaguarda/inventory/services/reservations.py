"""Reservations hold stock for a document line; they mirror into `StockBalance.reserved`.

`reserve` takes every need or none, `release` gives the stock back, `consume` issues it (a sale
being invoiced) in the same transaction that closes the reservation.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import ZERO, quantity
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.transactions import joined
from retaguarda.inventory.errors import AlreadyReserved, InsufficientStock
from retaguarda.inventory.models import Location, LocationKind, Reservation, StockMove
from retaguarda.inventory.ownership import check_owner
from retaguarda.inventory.services.balances import (
    Bucket,
    Pair,
    PairKey,
    apply_balance_deltas,
    by_balance_key,
    claim,
    lock_balances,
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


def reserve(needs: Sequence[Need], *, actor: Actor, owner: str | None = None) -> list[Reservation]:
    """Reserve every need or none; one `InsufficientStock` lists every product short.

    Reservations never oversell, even in a warehouse that allows negative stock. A source type an app
    registered (`inventory.ownership`) is reserved only with `owner=` that app."""
    if not needs:
        return []
    check_owner((n.source.type for n in needs), owner)
    company_id = company_id_of(actor)
    # Everything before the writes only reads, locks and checks: a refusal leaves a caller's
    # transaction as it was, so joining it needs no savepoint.
    with joined():
        products = scoped(Product, company_id).only(*STOCK_PRODUCT_FIELDS).in_bulk({n.product_id for n in needs})
        warehouse_ids = {n.warehouse_id for n in needs}
        stocks = {
            loc.warehouse_id: loc
            for loc in scoped(Location, company_id)
            .select_related("warehouse")
            .filter(warehouse_id__in=warehouse_ids, kind=LocationKind.INTERNAL)
        }
        missing = [n for n in needs if n.warehouse_id not in stocks or n.product_id not in products]
        if missing:
            raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("Warehouse or product not found.")}])
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
        # One condition per document, its lines in a list: an OR per line nests past SQLite's expression
        # depth limit (1,000) on an order of that many lines.
        lines_of: dict[tuple[str, int], set[int]] = defaultdict(set)
        for n in needs:
            lines_of[(n.source.type, n.source.id)].add(n.source.line)
        source_q = Q()
        for (st, sid), lines in lines_of.items():
            source_q |= Q(source_type=st, source_id=sid, source_line__in=sorted(lines))

        pairs = {(n.product_id, stocks[n.warehouse_id].pk) for n in needs}
        buckets = lock_balances(pairs)
        if scoped(Reservation, company_id).filter(source_q, state=ReservationState.ACTIVE).exists():
            raise AlreadyReserved()
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
            raise InsufficientStock(short)
        merged: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for n, bucket, qty in planned:
            merged[(n.source, n.product_id, bucket.balance.location_id, bucket.balance.lot_key)] += qty
        rows = [
            Reservation(
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
        # No savepoint: the same line of the same product and place locks the same balance row, so
        # the check above has already seen any twin; an IntegrityError here spoils the whole transaction.
        with transaction.atomic(savepoint=False):
            try:
                created = Reservation.objects.bulk_create(rows)
            except IntegrityError as exc:
                raise AlreadyReserved() from exc
            apply_balance_deltas(by_balance_key(buckets).values())
    # What was read on the way is what the caller shows: no second read of the rows just written.
    locations = {loc.pk: loc for loc in stocks.values()}
    for r in created:
        r.product, r.location = products[r.product_id], locations[r.location_id]
    return created


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
