"""Purchase requests: asked by Estoque or Compras, approved or rejected by Compras, then ordered."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.purchasing.models import PurchaseRequest, PurchaseRequestLine
from retaguarda.purchasing.services.common import record_opened
from retaguarda.purchasing.services.lines import MAX_LINES, load_products
from retaguarda.purchasing.states import RequestState


@dataclass(frozen=True)
class RequestLineIn:
    product_id: int
    quantity: Decimal  # stock unit


def create_request(
    *, actor: Actor, lines: Sequence[RequestLineIn], reason: str, needed_by: date | None = None
) -> PurchaseRequest:
    company_id = company_id_of(actor)
    products = load_products(lines)
    details = []
    if not reason or not reason.strip():
        details.append({"field": "reason", "message": _("Say why these products are needed.")})
    elif len(reason.strip()) > 200:
        details.append({"field": "reason", "message": _("At most 200 characters.")})
    if needed_by is not None and needed_by < timezone.localdate():
        details.append({"field": "needed_by", "message": _("The date cannot be in the past.")})
    if not lines:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        details.append({"field": "lines", "message": _("At most %(n)s lines.") % {"n": MAX_LINES}})
    for i, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None or product.company_id != company_id:
            details.append(missing_row(f"lines.{i}.product_id", _("Product not found.")))
        elif not product.is_stocked:
            details.append({"field": f"lines.{i}.product_id", "message": _("Only stocked products can be bought.")})
        q = line.quantity
        if not isinstance(q, Decimal) or not q.is_finite() or q <= 0 or quantity(q) != q or q >= Decimal("1e10"):
            details.append(
                {"field": f"lines.{i}.quantity", "message": _("Quantity must be positive (4 decimal places).")}
            )
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        request = PurchaseRequest.objects.create(
            company_id=company_id,
            number=document_number("purchasing.request", company_id=company_id),
            reason=reason.strip(),
            needed_by=needed_by,
            requested_by_id=actor.user_id,
        )
        PurchaseRequestLine.objects.bulk_create(
            [PurchaseRequestLine(request=request, product_id=line.product_id, quantity=line.quantity) for line in lines]
        )
        record_opened(request, RequestState.PENDING, actor=actor)
    return request


def _decide(request_id: int, state: str, note: str, *, actor: Actor) -> PurchaseRequest:
    if len(note or "") > 200:
        raise ValidationFailed(details=[{"field": "note", "message": _("At most 200 characters.")}])
    with transaction.atomic():
        request = transition(
            PurchaseRequest,
            request_id,
            to=state,
            actor=actor,
            payload={"note": note.strip()} if note else None,
            queryset=scoped(PurchaseRequest, actor),
        )
        request.decided_by_id = actor.user_id
        request.decided_at = timezone.now()
        request.decision_note = (note or "").strip()
        request.save(update_fields=["decided_by", "decided_at", "decision_note", "updated_at"])
        audit.record(actor, request, state, {"state": [RequestState.PENDING, state]})
    return request


def approve_request(request_id: int, *, actor: Actor, note: str = "") -> PurchaseRequest:
    return _decide(request_id, RequestState.APPROVED, note, actor=actor)


def reject_request(request_id: int, *, actor: Actor, note: str) -> PurchaseRequest:
    if not note or not note.strip():
        raise ValidationFailed(details=[{"field": "note", "message": _("Say why the request is rejected.")}])
    return _decide(request_id, RequestState.REJECTED, note, actor=actor)


def cancel_request(request_id: int, *, actor: Actor) -> PurchaseRequest:
    with transaction.atomic():
        request = transition(
            PurchaseRequest, request_id, to=RequestState.CANCELLED, actor=actor, queryset=scoped(PurchaseRequest, actor)
        )
        audit.record(actor, request, "cancelled")
    return request
