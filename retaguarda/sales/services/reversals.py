"""Undoing an invoiced order: its notes cancelled at SEFAZ (within 24 hours), the goods back into the
warehouse at the cost they left with, the CMV reversed, the receivable cancelled (or credited, when
something was already paid).

`cancel_invoiced` asks fiscal to cancel each authorized note (a call to SEFAZ, outside any
transaction), then reverses the order here. A note cancelled from the fiscal pages reaches the same
reversal through the `fiscal.document.cancelled` handler; whichever comes second finds it done."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import ZERO, amount
from retaguarda.core.scope import scoped
from retaguarda.core.states import transition
from retaguarda.finance import services as finance
from retaguarda.finance.errors import NotCancellable
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory import services as inventory
from retaguarda.inventory.models import StockMove
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.selectors import notes_of
from retaguarda.sales.states import OrderState

CANCEL_SOURCE = "sales.order_cancel"
COST_REVERSAL_SOURCE = "sales.invoice_cost_reversal"


def cancel_invoiced(order_id: int, *, actor: Actor, reason: str) -> SalesOrder:
    order = scoped(SalesOrder, actor).filter(pk=order_id).first()
    if order is None or order.state != OrderState.INVOICED:
        raise ValidationFailed(_("Only an invoiced order that has not shipped is cancelled through its notes."))
    if len((reason or "").strip()) < 15:
        raise ValidationFailed(
            details=[{"field": "reason", "message": _("Say why in at least 15 characters (it goes to SEFAZ).")}]
        )
    for note in notes_of(order).filter(state=DocumentState.AUTHORIZED):
        fiscal.cancel_document(note.pk, actor=actor, reason=reason)
    return reverse_invoicing(order.pk, company_id=order.company_id, actor=actor, reason=reason) or order


def reverse_invoicing(
    order_id: int, *, company_id: int, actor: Actor | None = None, reason: str = ""
) -> SalesOrder | None:
    """Once every note of an invoiced order is cancelled: goods back, CMV reversed, receivable cancelled
    or credited, the order cancelled. Does nothing before that, or once done."""
    actor = actor or Actor.system(company_id=company_id)
    with transaction.atomic():
        order = (
            SalesOrder.objects.select_for_update()
            .filter(pk=order_id, company_id=company_id, state=OrderState.INVOICED)
            .first()
        )
        if order is None:
            return None
        notes = list(notes_of(order).exclude(state__in=[DocumentState.DISCARDED, DocumentState.VOIDED]))
        if not notes or any(n.state != DocumentState.CANCELLED for n in notes):
            return None
        issued = list(
            StockMove.objects.filter(company_id=company_id, source_type=SalesOrder.SOURCE_TYPE, source_id=order.pk)
        )
        inventory.post_moves(
            [
                inventory.MoveIn(
                    product_id=m.product_id,
                    quantity=m.quantity,
                    from_location_id=m.to_location_id,
                    to_location_id=m.from_location_id,
                    source=inventory.Source(CANCEL_SOURCE, order.pk, m.source_line),
                    lot_id=m.lot_id,
                    unit_cost=m.unit_cost,
                    reason=_("Order %(number)s cancelled") % {"number": order.number},
                )
                for m in issued
            ],
            actor=actor,
        )
        cost = amount(sum((m.quantity * m.unit_cost for m in issued), ZERO))
        if cost:
            finance.post_result(
                actor=actor,
                on=timezone.localdate(),
                source=finance.SourceRef(COST_REVERSAL_SOURCE, order.pk),
                lines=[finance.ResultLine("cmv", -cost)],
                description=_("Order %(number)s cancelled") % {"number": order.number},
            )
        if order.receivable_id:
            try:
                finance.cancel_title(order.receivable_id, actor=actor, reason=reason or str(order))
            except NotCancellable:
                finance.credit_title(
                    order.receivable_id,
                    actor=actor,
                    amount=order.receivable.amount,
                    source=finance.SourceRef(CANCEL_SOURCE, order.pk),
                    reason=reason,
                )
        order = transition(SalesOrder, order.pk, to=OrderState.CANCELLED, actor=actor, payload={"reason": reason})
        order.cancel_reason = reason.strip()[:200]
        order.save(update_fields=["cancel_reason", "updated_at"])
        audit.record(actor, order, "cancelled", {"reason": [None, order.cancel_reason], "cost": [None, str(cost)]})
    return order
