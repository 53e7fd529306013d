"""Transfers between warehouses: shipped out of the origin into the destination's transit location,
received from transit into the destination's stock."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.states import cancel, move, record_opened
from retaguarda.inventory.models import StockMove, TransferLine, TransferOrder
from retaguarda.inventory.services.posting import MoveIn, Source, post_moves
from retaguarda.inventory.services.products import check_stocked
from retaguarda.inventory.services.scope import warehouse_of
from retaguarda.inventory.services.warehouses import stock_location, transit_location
from retaguarda.inventory.states import TransferState


@dataclass(frozen=True)
class TransferLineIn:
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


def transfer_problems(*, from_warehouse_id: int, to_warehouse_id: int, line_count: int) -> list[dict]:
    """Every problem of a transfer's header; the page asks it too, to show them with its lines'."""
    details = []
    if from_warehouse_id == to_warehouse_id:
        details.append({"field": "to_warehouse_id", "message": _("Choose two different warehouses.")})
    if not line_count:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    return details


def create_transfer(
    *, actor: Actor, from_warehouse_id: int, to_warehouse_id: int, lines: Sequence[TransferLineIn], notes: str = ""
) -> TransferOrder:
    details = transfer_problems(
        from_warehouse_id=from_warehouse_id, to_warehouse_id=to_warehouse_id, line_count=len(lines)
    )
    for i, line in enumerate(lines):
        if not isinstance(line.quantity, Decimal) or line.quantity <= 0:
            details.append(
                {"field": f"lines.{i}.quantity", "message": _("Quantity must be positive (4 decimal places).")}
            )
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        source = warehouse_of(actor, from_warehouse_id)
        target = warehouse_of(actor, to_warehouse_id)
        if source.company_id != target.company_id:
            raise ValidationFailed(details=[missing_row("to_warehouse_id", _("Warehouse not found."))])
        products = Product.objects.in_bulk({line.product_id for line in lines})
        # A kit line is checked when shipped, where it is expanded into its components.
        check_stocked(
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
            number=document_number("inventory.transfer", company_id=source.company_id),
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
        record_opened(transfer, TransferState.DRAFT, actor=actor)
    return transfer


def ship_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    """Out of the origin now: the goods go to the destination's transit location."""
    with transaction.atomic():
        transfer = move(TransferOrder, transfer_id, TransferState.SHIPPED, actor=actor)
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
        post_moves(moves, actor=actor)
        transfer.shipped_at = timezone.now()
        transfer.save(update_fields=["shipped_at", "updated_at"])
        audit.record(actor, transfer, "shipped")
    return transfer


def receive_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    """In on arrival: what left the origin (same products and lots) enters the destination."""
    with transaction.atomic():
        transfer = move(TransferOrder, transfer_id, TransferState.RECEIVED, actor=actor)
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
        post_moves(list(merged.values()), actor=actor, exact_lots=True)
        transfer.received_at = timezone.now()
        transfer.save(update_fields=["received_at", "updated_at"])
        audit.record(actor, transfer, "received")
    return transfer


def cancel_transfer(transfer_id: int, *, actor: Actor) -> TransferOrder:
    return cancel(TransferOrder, transfer_id, TransferState.CANCELLED, actor=actor)
