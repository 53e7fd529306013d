"""Manual entries and exits: stock that enters or leaves a warehouse with a reason and no document."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.states import record_opened
from retaguarda.inventory.models import POSTED, LocationKind, ManualOperation, StockMove
from retaguarda.inventory.services.lots import lot_for
from retaguarda.inventory.services.posting import MoveIn, Source, post_moves
from retaguarda.inventory.services.scope import warehouse_of
from retaguarda.inventory.services.warehouses import stock_location, virtual_location


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


def manual_move_problems(*, direction: str, counterpart: str | None, reason: str, line_count: int) -> list[dict]:
    """Every problem of a manual move's header; the pages ask it too, so a form shows them with its lines'."""
    details = []
    if direction not in ManualOperation.Direction.values:
        details.append({"field": "direction", "message": _("Invalid value.")})
    allowed = ENTRY_COUNTERPARTS if direction == ManualOperation.Direction.ENTRY else EXIT_COUNTERPARTS
    if (counterpart or LocationKind.ADJUSTMENT) not in allowed:
        details.append({"field": "counterpart", "message": _("Invalid value.")})
    if not (reason or "").strip():
        details.append({"field": "reason", "message": _("Say why stock is entering or leaving.")})
    if not line_count:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    return details


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
    details = manual_move_problems(direction=direction, counterpart=counterpart, reason=reason, line_count=len(lines))
    if details:
        raise ValidationFailed(details=details)
    counterpart = counterpart or LocationKind.ADJUSTMENT
    with transaction.atomic():
        warehouse = warehouse_of(actor, warehouse_id)
        stock = stock_location(warehouse)
        other = virtual_location(warehouse.company_id, counterpart)
        op = ManualOperation.objects.create(
            company_id=warehouse.company_id,
            number=document_number("inventory.manual", company_id=warehouse.company_id),
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
        created = post_moves(moves, actor=actor)
        # Its timeline's one event (and audit record): what watch's stock rules look again after.
        record_opened(op, POSTED, actor=actor)
    return op, created
