"""Invoicing: the order asks fiscal for its notes; once SEFAZ authorizes them all, the reservation is
issued from stock, the cost of goods sold posted, and the receivable created.

`invoice_order` builds and queues the notes in one transaction (fiscal numbers them and emits
`fiscal.document.queued`; its outbox handler transmits). SEFAZ's answer comes back as
`fiscal.document.authorized`, whose handler here (`complete_invoicing`) finishes the order in the
transaction that marks the event handled: an outage only delays it, a retry finds it done."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO, amount, spread
from retaguarda.core.scope import scoped
from retaguarda.core.states import transition
from retaguarda.finance import services as finance
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import MAX_ITEMS, DocumentModel
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory import services as inventory
from retaguarda.parties.models import PartyKind
from retaguarda.sales.errors import NotInvoiceable
from retaguarda.sales.models import ChannelKind, SalesOrder, SalesOrderLine
from retaguarda.sales.selectors import notes_of
from retaguarda.sales.services.orders import OWNER, source_of
from retaguarda.sales.states import OrderState

INVOICED_EVENT = "sales.order.invoiced"
COST_SOURCE = "sales.invoice_cost"
# indPres: how the buyer was there.
PRESENCE = {ChannelKind.SHOP: 1, ChannelKind.ONLINE_STORE: 2, ChannelKind.MARKETPLACE: 2, ChannelKind.PHONE: 3}
# Notes of an order that still count (a discarded draft or a voided number no longer does).
LIVE_NOTES = (
    DocumentState.DRAFT,
    DocumentState.QUEUED,
    DocumentState.SENT,
    DocumentState.AUTHORIZED,
    DocumentState.REJECTED,
)


def installments(total: Decimal, days: Sequence[int], start: date) -> list[tuple[date, Decimal]]:
    """The payment terms over `total`: equal parts (centavos to the first), due `days` after `start`."""
    parts = spread(amount(total), [Decimal(1)] * len(days))
    return [(start + timedelta(days=d), part) for d, part in zip(days, parts, strict=True) if part > 0]


def note_model(order: SalesOrder) -> int:
    """An NFC-e for a shop's sale to a consumer (a person), an NF-e otherwise."""
    if order.channel.kind == ChannelKind.SHOP and order.customer.kind == PartyKind.INDIVIDUAL:
        return DocumentModel.NFCE
    return DocumentModel.NFE


def _document_in(order: SalesOrder, lines: list[SalesOrderLine], model: int, day: date) -> fiscal.DocumentIn:
    total = sum((line.total for line in lines), ZERO)
    dues = [] if model == DocumentModel.NFCE else installments(total, order.installment_days, day)
    return fiscal.DocumentIn(
        items=tuple(
            fiscal.ItemIn(
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                freight=line.freight,
                insurance=line.insurance,
                other=line.other,
                source_line=f"{SalesOrder.SOURCE_TYPE}:{order.pk}:{line.number}",
            )
            for line in lines
        ),
        recipient_id=order.customer_id,
        model=model,
        installments=tuple(fiscal.InstallmentIn(due, value) for due, value in dues),
        presence=PRESENCE.get(order.channel.kind, 9),
        freight_mode=0 if order.freight else 9,
        additional_info=_("Order %(number)s") % {"number": order.number}
        + (f" / {order.channel.code} {order.external_id}" if order.external_id else ""),
        source_type=SalesOrder.SOURCE_TYPE,
        source_id=order.pk,
    )


def invoice_order(order_id: int, *, actor: Actor, certificate=None) -> SalesOrder:
    """Ask fiscal for the order's notes (one per 990 lines): built, numbered, signed and queued for
    SEFAZ. The order waits in `invoicing` until they are authorized."""
    with transaction.atomic():
        order = transition(
            SalesOrder,
            order_id,
            to=OrderState.INVOICING,
            actor=actor,
            queryset=scoped(SalesOrder, actor).select_related("customer", "channel"),
        )
        lines = list(order.lines.order_by("number"))
        model = note_model(order)
        day = timezone.localdate()
        notes = []
        for start in range(0, len(lines), MAX_ITEMS):
            draft = fiscal.build_document(
                _document_in(order, lines[start : start + MAX_ITEMS], model, day), actor=actor
            )
            notes.append(fiscal.issue_document(draft.pk, actor=actor, certificate=certificate))
        audit.record(actor, order, "invoice_requested", {"notes": [None, [n.number for n in notes]]})
    return order


def retry_invoicing(order_id: int, *, actor: Actor, certificate=None) -> SalesOrder:
    """Send again the order's notes that SEFAZ rejected (once the cause is fixed: a tax rule, a product's
    NCM, the customer's registration): each goes back to draft, keeps its number, and is built, signed and
    queued again with today's data. The order stays `invoicing` and finishes on the authorization."""
    with transaction.atomic():
        order = scoped(SalesOrder, actor).select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound()
        rejected = (
            list(notes_of(order).filter(state=DocumentState.REJECTED)) if order.state == OrderState.INVOICING else []
        )
        if not rejected:
            raise NotInvoiceable(_("No note of this order was rejected: there is nothing to send again."))
        for note in rejected:
            fiscal.reopen_document(note.pk, actor=actor)
            fiscal.issue_document(note.pk, actor=actor, certificate=certificate)
        numbers = [n.number for n in rejected]
        DocumentEvent.objects.create(
            document_type=order._meta.label_lower,
            document_id=order.pk,
            from_state=order.state,
            to_state=order.state,
            user=actor.user,
            origin=actor.origin,
            payload={"resent": numbers},
        )
        audit.record(actor, order, "invoice_resent", {"notes": [None, numbers]})
    return order


def complete_invoicing(order_id: int, *, company_id: int) -> SalesOrder | None:
    """Finish an order whose notes are all authorized: issue the reserved stock (at average cost), post
    the cost of goods sold, create the receivable from the payment terms. Does nothing while a note is
    still on its way, or once done (a repeated event)."""
    actor = Actor.system(company_id=company_id)
    with transaction.atomic():
        order = (
            SalesOrder.objects.select_for_update()
            .filter(pk=order_id, company_id=company_id, state=OrderState.INVOICING)
            .first()
        )
        if order is None:
            return None
        notes = list(notes_of(order).filter(state__in=LIVE_NOTES))
        if not notes or any(n.state != DocumentState.AUTHORIZED for n in notes):
            return None
        day = timezone.localdate()
        moves = inventory.consume(source_of(order), actor=actor, whole_document=True, owner=OWNER)
        cost = amount(sum((m.quantity * m.unit_cost for m in moves), ZERO))
        if cost:
            finance.post_result(
                actor=actor,
                on=day,
                source=finance.SourceRef(COST_SOURCE, order.pk),
                lines=[finance.ResultLine("cmv", cost)],
                description=_("Cost of order %(number)s") % {"number": order.number},
            )
        billed = sum((n.total for n in notes), ZERO)
        title = None
        if billed > 0:
            title = finance.create_title(
                actor=actor,
                kind="receivable",
                category_role="sales",
                party_id=order.customer_id,
                installments=[
                    finance.InstallmentIn(due, value)
                    for due, value in installments(billed, order.installment_days, day)
                ],
                issue_date=day,
                source=finance.SourceRef(SalesOrder.SOURCE_TYPE, order.pk),
                document_number=", ".join(f"NF {n.number}" for n in notes)[:60],
                nfe_key=notes[0].key,
                description=str(order),
            )
        order = transition(
            SalesOrder,
            order.pk,
            to=OrderState.INVOICED,
            actor=actor,
            payload={"notes": [n.number for n in notes], "cost": str(cost), "billed": str(billed)},
        )
        order.receivable, order.invoiced_at = title, timezone.now()
        order.save(update_fields=["receivable", "invoiced_at", "updated_at"])
        audit.record(actor, order, "invoiced", {"billed": [None, str(billed)], "cost": [None, str(cost)]})
        outbox.emit(INVOICED_EVENT, {"order_id": order.pk}, company_id=company_id)
    return order


def ship_order(order_id: int, *, actor: Actor, carrier: str = "", tracking_code: str = "") -> SalesOrder:
    with transaction.atomic():
        order = transition(
            SalesOrder,
            order_id,
            to=OrderState.SHIPPED,
            actor=actor,
            queryset=scoped(SalesOrder, actor),
            payload={"carrier": carrier, "tracking_code": tracking_code},
        )
        order.carrier, order.tracking_code = carrier.strip()[:80], tracking_code.strip()[:80]
        order.shipped_at = timezone.now()
        order.save(update_fields=["carrier", "tracking_code", "shipped_at", "updated_at"])
        audit.record(
            actor, order, "shipped", {"carrier": [None, order.carrier], "tracking_code": [None, order.tracking_code]}
        )
    return order


def deliver_order(order_id: int, *, actor: Actor) -> SalesOrder:
    with transaction.atomic():
        order = transition(
            SalesOrder, order_id, to=OrderState.DELIVERED, actor=actor, queryset=scoped(SalesOrder, actor)
        )
        order.delivered_at = timezone.now()
        order.save(update_fields=["delivered_at", "updated_at"])
        audit.record(actor, order, "delivered")
    return order
