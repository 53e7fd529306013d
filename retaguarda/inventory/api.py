"""Inventory API at `/api/v1/inventory`: warehouses, balances, moves, kardex, transfers, counts, reservations.

Shortfalls answer 409 `inventory.insufficient_stock` with `details` listing each product short
(`product_id`, `sku`, `requested`, `available`). State changes are POST commands. The schemas are in
`inventory.schemas`; the routes stay in this module because ninja names each operation after it.
"""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status

from retaguarda.catalog.models import Product
from retaguarda.core.actor import actor_of
from retaguarda.core.answers import answer
from retaguarda.core.api import Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.inventory import ownership, selectors, services
from retaguarda.inventory.models import Lot, Reservation, StockCount, StockMove, TransferOrder, Warehouse
from retaguarda.inventory.schemas import (
    BalanceOut,
    BelowMinimumOut,
    CountIn,
    CountLineOut,
    CountOut,
    CountQuantitiesIn,
    CountSummaryOut,
    FefoOut,
    KardexOut,
    LotIn,
    LotOut,
    ManualIn,
    ManualOut,
    MoveOut,
    PastBalanceOut,
    ReleaseIn,
    ReservationIn,
    ReservationOut,
    ScanIn,
    StockTransferIn,
    StockTransferOut,
    TransferSummaryOut,
    ValuationOut,
    WarehouseIn,
    WarehouseOut,
    WarehousePatch,
)

router = Router(tags=["inventory"])
VIEW = require("inventory.view")
POST = require("inventory.post")
CHANGE = require("inventory.change")
RESERVE = require("inventory.reserve")


def _company(request):
    return request.company  # never None here: `require()` refuses a request without a company


def _own(request, model, pk: int):
    """The company's row, or 404 (another company's row is not found either)."""
    return get_object_or_404(model, pk=pk, company=_company(request))


def _command(request, model, pk: int, service):
    """A state change of the company's document `pk`, run by `service(pk, actor=...)`."""
    _own(request, model, pk)
    return service(pk, actor=actor_of(request))


def _documents_page(request, model, state: str, cursor: str | None, limit: int) -> dict:
    """The company's documents of a kind, newest first, optionally in one state."""
    qs = model.objects.filter(company=_company(request))
    if state:
        qs = qs.filter(state=state)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


def _with_lots(moves: list[StockMove]) -> None:
    """Attach the lots the moves name, read in one query (the rest came back from the posting)."""
    lots = Lot.objects.in_bulk({m.lot_id for m in moves if m.lot_id})
    for m in moves:
        if m.lot_id:
            m.lot = lots[m.lot_id]


def _reservations_out(reservations) -> list[Reservation]:
    """Reservations as the API shows them, with their product and location read in the same query."""
    return list(
        Reservation.objects.filter(pk__in=[r.pk for r in reservations])
        .select_related("product", "location")
        .order_by("id")
    )


def _balance_out(row: selectors.BalanceRow) -> dict:
    return {
        "product_id": row.product.pk,
        "sku": row.product.sku,
        "name": row.product.name,
        "warehouse_id": row.warehouse.pk,
        "warehouse_code": row.warehouse.code,
        "on_hand": row.on_hand,
        "reserved": row.reserved,
        "available": row.available,
        "in_transit": row.in_transit,
        "average_cost": row.average_cost,
        "value": row.value,
    }


# ---------------------------------------------------------------------------- warehouses


@router.get("/warehouses", response=Page[WarehouseOut], auth=VIEW)
def list_warehouses(request, cursor: str | None = None, limit: PageLimit = 50):
    qs = Warehouse.objects.filter(company=_company(request))
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("code", "id"))


@router.post("/warehouses", response={201: WarehouseOut}, auth=CHANGE)
@idempotent
def create_warehouse(request, body: WarehouseIn):
    return Status(
        201, services.create_warehouse(actor=actor_of(request), company_id=_company(request).pk, **body.dict())
    )


@router.get("/warehouses/{warehouse_id}", response=WarehouseOut, auth=VIEW)
def get_warehouse(request, warehouse_id: int):
    return _own(request, Warehouse, warehouse_id)


@router.patch("/warehouses/{warehouse_id}", response=WarehouseOut, auth=CHANGE)
def update_warehouse(request, warehouse_id: int, body: WarehousePatch):
    _own(request, Warehouse, warehouse_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_warehouse(warehouse_id, actor=actor_of(request), version=body.version, **fields)


# ---------------------------------------------------------------------------- balances and reports


@router.get("/balances", response=Page[BalanceOut], auth=VIEW)
def list_balances(
    request,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """One row per product and warehouse: on hand, reserved, available, in transit, average cost, value."""
    rows, next_cursor = selectors.balances(
        _company(request), warehouse_id=warehouse_id, product_id=product_id, search=q, cursor=cursor, limit=limit
    )
    return {"items": [_balance_out(r) for r in rows], "next_cursor": next_cursor}


@router.get("/balances/at", response=Page[PastBalanceOut], auth=VIEW)
def balances_at(
    request,
    at: datetime.datetime | datetime.date,
    warehouse_id: int | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Stock on hand at a past moment (a date means the end of that day), from the ledger."""
    moment = _moment(at)
    rows, next_cursor = selectors.balances_at(
        _company(request), moment, warehouse_id=warehouse_id, cursor=cursor, limit=limit
    )
    items = [
        {"product_id": r.product.pk, "sku": r.product.sku, "name": r.product.name, "on_hand": r.on_hand} for r in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


def _moment(at) -> datetime.datetime:
    if isinstance(at, datetime.datetime):
        return at if timezone.is_aware(at) else timezone.make_aware(at)
    end = datetime.datetime.combine(at, datetime.time.max)
    return timezone.make_aware(end)


@router.get("/valuation", response=list[ValuationOut], auth=VIEW)
def valuation(request):
    """Stock value by warehouse at the weighted average cost."""
    return [
        {
            "warehouse_id": r.warehouse.pk,
            "warehouse_code": r.warehouse.code,
            "products": r.products,
            "on_hand": r.on_hand,
            "value": r.value,
            "in_transit": r.in_transit,
            "in_transit_value": r.in_transit_value,
        }
        for r in selectors.valuation(_company(request))
    ]


@router.get("/below-minimum", response=Page[BelowMinimumOut], auth=VIEW)
def below_minimum(request, cursor: str | None = None, limit: PageLimit = 50):
    rows, next_cursor = selectors.below_minimum(_company(request), cursor=cursor, limit=limit)
    items = [
        {
            "product_id": p.pk,
            "sku": p.sku,
            "name": p.name,
            "minimum_stock": p.minimum_stock,
            "on_hand": p.stock_on_hand,
            "available": p.available,
        }
        for p in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


# ---------------------------------------------------------------------------- moves, kardex, lots


@router.get("/moves", response=Page[MoveOut], auth=VIEW)
def list_moves(
    request,
    product_id: int | None = None,
    warehouse_id: int | None = None,
    source_type: str = "",
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    items, next_cursor = selectors.moves(
        _company(request),
        product_id=product_id,
        warehouse_id=warehouse_id,
        source_type=source_type,
        cursor=cursor,
        limit=limit,
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/moves", response={201: ManualOut}, auth=POST)
@idempotent
def create_manual_move(request, body: ManualIn):
    """A manual entry (`direction: in`, from `supplier` or `adjustment`) or exit (`out`, to `customer`,
    `scrap` or `adjustment`) with its reason. Send an `Idempotency-Key` to make retries safe."""
    op, moves = services.manual_move(
        actor=actor_of(request),
        warehouse_id=body.warehouse_id,
        direction=body.direction,
        reason=body.reason,
        counterpart=body.counterpart,
        lines=[services.ManualLine(**line.dict()) for line in body.lines],
    )
    _with_lots(moves)
    return Status(
        201,
        {
            "id": op.pk,
            "number": op.number,
            "direction": op.direction,
            "warehouse_id": op.warehouse_id,
            "counterpart": op.counterpart,
            "reason": op.reason,
            "moves": moves,
        },
    )


@router.get("/products/{product_id}/kardex", response=KardexOut, auth=VIEW)
def product_kardex(
    request, product_id: int, warehouse_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    """The product's moves oldest first, with the running quantity and value."""
    product = _own(request, Product, product_id)
    k = selectors.kardex(_company(request), product, warehouse_id=warehouse_id, cursor=cursor, limit=limit)
    return {
        "product_id": product.pk,
        "sku": product.sku,
        "opening": k.opening,
        "opening_value": k.opening_value,
        "lines": [
            {
                "move": line.move,
                "quantity_in": line.quantity_in,
                "quantity_out": line.quantity_out,
                "balance": line.balance,
                "balance_value": line.balance_value,
                "average_cost": line.average_cost,
            }
            for line in k.lines
        ],
        "next_cursor": k.next_cursor,
    }


@router.get("/products/{product_id}/fefo", response=list[FefoOut], auth=VIEW)
def product_fefo(request, product_id: int, warehouse_id: int, quantity: Decimal):
    """Which lots to issue first (first to expire, first out) for `quantity` units."""
    _own(request, Product, product_id)
    _own(request, Warehouse, warehouse_id)
    return [
        {
            "lot_id": lot.pk if lot else None,
            "lot": lot.code if lot else None,
            "expiry": lot.expiry if lot else None,
            "quantity": qty,
        }
        for lot, qty in selectors.fefo(product_id, warehouse_id, quantity)
    ]


@router.get("/lots", response=Page[LotOut], auth=VIEW)
def list_lots(request, product_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50):
    qs = Lot.objects.filter(company=_company(request))
    if product_id:
        qs = qs.filter(product_id=product_id)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/lots", response={201: LotOut}, auth=POST)
@idempotent
def create_lot(request, body: LotIn):
    _own(request, Product, body.product_id)
    return Status(
        201, services.lot_for(actor=actor_of(request), product_id=body.product_id, code=body.code, expiry=body.expiry)
    )


# ---------------------------------------------------------------------------- transfers


@router.get("/transfers", response=Page[TransferSummaryOut], auth=VIEW)
def list_transfers(request, state: str = "", cursor: str | None = None, limit: PageLimit = 50):
    return _documents_page(request, TransferOrder, state, cursor, limit)


@router.post("/transfers", response={201: StockTransferOut}, auth=POST)
@idempotent
def create_transfer(request, body: StockTransferIn):
    transfer = services.create_transfer(
        actor=actor_of(request),
        from_warehouse_id=body.from_warehouse_id,
        to_warehouse_id=body.to_warehouse_id,
        notes=body.notes,
        lines=[services.TransferLineIn(**line.dict()) for line in body.lines],
    )
    return Status(201, transfer)


@router.get("/transfers/{transfer_id}", response=StockTransferOut, auth=VIEW)
def get_transfer(request, transfer_id: int):
    return _own(request, TransferOrder, transfer_id)


@router.post("/transfers/{transfer_id}/ship", response=StockTransferOut, auth=POST)
def ship_transfer(request, transfer_id: int):
    """Out of the origin now; the goods stay in transit until received."""
    return _command(request, TransferOrder, transfer_id, services.ship_transfer)


@router.post("/transfers/{transfer_id}/receive", response=StockTransferOut, auth=POST)
def receive_transfer(request, transfer_id: int):
    return _command(request, TransferOrder, transfer_id, services.receive_transfer)


@router.post("/transfers/{transfer_id}/cancel", response=StockTransferOut, auth=POST)
def cancel_transfer(request, transfer_id: int):
    return _command(request, TransferOrder, transfer_id, services.cancel_transfer)


# ---------------------------------------------------------------------------- counts


@router.get("/counts", response=Page[CountSummaryOut], auth=VIEW)
def list_counts(request, state: str = "", cursor: str | None = None, limit: PageLimit = 50):
    return _documents_page(request, StockCount, state, cursor, limit)


@router.post("/counts", response={201: CountOut}, auth=POST)
@idempotent
def create_count(request, body: CountIn):
    """A count of the whole warehouse, or of `product_ids` only."""
    count = services.create_count(
        actor=actor_of(request), warehouse_id=body.warehouse_id, product_ids=body.product_ids, notes=body.notes
    )
    return Status(201, count)


@router.get("/counts/{count_id}", response=CountOut, auth=VIEW)
def get_count(request, count_id: int):
    return _own(request, StockCount, count_id)


@router.post("/counts/{count_id}/start", response=CountOut, auth=POST)
def start_count(request, count_id: int):
    return _command(request, StockCount, count_id, services.start_count)


@router.post("/counts/{count_id}/quantities", response=CountOut, auth=POST)
def count_quantities(request, count_id: int, body: CountQuantitiesIn):
    """Counted quantities: replace (typed, uploaded) or, with `add`, add to them (scanned)."""
    _own(request, StockCount, count_id)
    entries = [services.CountEntry(e.product_id, e.quantity, e.lot_id) for e in body.entries]
    services.record_counts(count_id, entries, actor=actor_of(request), add=body.add)
    return _own(request, StockCount, count_id)


@router.post("/counts/{count_id}/scan", response=CountLineOut, auth=POST)
def count_scan(request, count_id: int, body: ScanIn):
    """One barcode read (GTIN or SKU): one more unit counted."""
    _own(request, StockCount, count_id)
    return services.scan(count_id, body.code, actor=actor_of(request))


@router.post("/counts/{count_id}/post", response=CountOut, auth=POST)
def post_count(request, count_id: int):
    """Post the differences as adjustment moves."""
    return _command(request, StockCount, count_id, services.post_count)


@router.post("/counts/{count_id}/cancel", response=CountOut, auth=POST)
def cancel_count(request, count_id: int):
    return _command(request, StockCount, count_id, services.cancel_count)


# ---------------------------------------------------------------------------- reservations


@router.get("/reservations", response=Page[ReservationOut], auth=VIEW)
def list_reservations(
    request,
    source_type: str = "",
    source_id: int | None = None,
    state: str = "",
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    items, next_cursor = selectors.reservations(
        _company(request), source_type=source_type, source_id=source_id, state=state, cursor=cursor, limit=limit
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/reservations", response={201: list[ReservationOut]}, auth=RESERVE)
@idempotent
def create_reservation(request, body: ReservationIn):
    """Reserve every line or none, for a `manual.*` source (other apps reserve through their documents).
    A shortfall answers 409 `inventory.insufficient_stock`."""
    ownership.check_public(body.source_type)
    # Another company's warehouse is a 404 from the service's own read of the stock locations.
    needs = [
        services.Need(
            product_id=line.product_id,
            warehouse_id=line.warehouse_id,
            quantity=line.quantity,
            source=services.Source(body.source_type, body.source_id, line.line),
            lot_id=line.lot_id,
        )
        for line in body.lines
    ]
    return answer(ReservationOut, services.reserve(needs, actor=actor_of(request)), 201)


@router.post("/reservations/release", response=list[ReservationOut], auth=RESERVE)
def release_by_source(request, body: ReleaseIn):
    """Release what a `manual.*` source (or one of its lines) holds."""
    ownership.check_public(body.source_type)
    released = services.release(
        services.Source(body.source_type, body.source_id, body.source_line or 0),
        actor=actor_of(request),
        whole_document=body.source_line is None,
    )
    return _reservations_out(released)


@router.post("/reservations/{reservation_id}/release", response=ReservationOut, auth=RESERVE)
def release_reservation(request, reservation_id: int):
    held = _own(request, Reservation, reservation_id)
    ownership.check_public_hold(held.source_type)
    services.release(actor=actor_of(request), reservation_id=reservation_id)
    return Reservation.objects.select_related("product", "location").get(pk=reservation_id)
