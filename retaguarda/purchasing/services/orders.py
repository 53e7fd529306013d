"""Purchase orders: drafted (from approved requests or by hand), sent to the supplier, cancelled.
Receipts move them on to partially received and received (see `receipts`)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO, amount
from retaguarda.core.numbering import document_number
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseRequest, PurchaseRequestLine
from retaguarda.purchasing.services.common import (
    record_opened,
    supplier_problems,
    terms_days,
    warehouse_problems,
)
from retaguarda.purchasing.services.lines import CostLineIn, goods_value, line_problems, load_products, unit_and_factor
from retaguarda.purchasing.states import OrderState, RequestState


@dataclass(frozen=True)
class OrderLineIn(CostLineIn):
    request_line_id: int | None = None


@dataclass(frozen=True)
class Charges:
    """Header charges of an order or a receipt, spread over its lines by value."""

    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    other_expenses: Decimal = ZERO

    def problems(self) -> list[dict]:
        details = []
        for name in ("freight", "insurance", "other_expenses"):
            value = getattr(self, name)
            ok = isinstance(value, Decimal) and value.is_finite() and value >= 0 and amount(value) == value
            if not ok or value >= Decimal("1e13"):
                details.append({"field": name, "message": _("Enter an amount of zero or more (2 decimal places).")})
        return details

    @property
    def total(self) -> Decimal:
        return self.freight + self.insurance + self.other_expenses


@dataclass(frozen=True)
class OrderIn:
    supplier_id: int
    warehouse_id: int
    lines: Sequence[OrderLineIn]
    charges: Charges = field(default_factory=Charges)
    expected_date: date | None = None
    payment_terms: str | None = None  # None: the supplier's terms
    notes: str = ""


def _request_lines(actor: Actor, lines: Sequence[OrderLineIn]) -> tuple[dict[int, PurchaseRequestLine], list[dict]]:
    wanted = {line.request_line_id for line in lines if line.request_line_id is not None}
    if not wanted:
        return {}, []
    found = (
        PurchaseRequestLine.objects.filter(pk__in=wanted, request__company_id=company_id_of(actor))
        .select_related("request")
        .in_bulk()
    )
    details = []
    for i, line in enumerate(lines):
        if line.request_line_id is None:
            continue
        req_line = found.get(line.request_line_id)
        if req_line is None:
            details.append(missing_row(f"lines.{i}.request_line_id", _("Request line not found.")))
        elif req_line.request.state != RequestState.APPROVED:
            details.append(
                {"field": f"lines.{i}.request_line_id", "message": _("Only approved requests can be ordered.")}
            )
        elif req_line.product_id != line.product_id:
            details.append({"field": f"lines.{i}.product_id", "message": _("The product differs from the request's.")})
    return found, details


def create_order(data: OrderIn, *, actor: Actor) -> PurchaseOrder:
    """A draft order; requests whose lines it takes become `ordered`."""
    company_id = company_id_of(actor)
    products = load_products(data.lines)
    supplier, details = supplier_problems(actor, data.supplier_id)
    warehouse, more = warehouse_problems(actor, data.warehouse_id)
    details += more + data.charges.problems() + line_problems(data.lines, products, company_id)
    request_lines, more = _request_lines(actor, data.lines)
    details += more
    terms = data.payment_terms if data.payment_terms is not None else (supplier.payment_terms if supplier else "")
    try:
        terms_days(terms)
    except ValidationFailed as exc:
        details += exc.details
    if data.expected_date is not None and data.expected_date < timezone.localdate():
        details.append({"field": "expected_date", "message": _("The date cannot be in the past.")})
    if len(data.notes or "") > 500:
        details.append({"field": "notes", "message": _("At most 500 characters.")})
    if details:
        raise ValidationFailed(details=details)
    rows = []
    for line in data.lines:
        unit, factor = unit_and_factor(line, products[line.product_id])
        rows.append(
            PurchaseOrderLine(
                product_id=line.product_id,
                quantity=line.quantity,
                unit=unit,
                factor=factor,
                unit_cost=line.unit_cost,
                discount=line.discount,
                ipi=line.ipi,
                icms_st=line.icms_st,
                request_line_id=line.request_line_id,
            )
        )
    goods = sum((goods_value(r) for r in rows), ZERO)
    discount = sum((r.discount for r in rows), ZERO)
    ipi = sum((r.ipi for r in rows), ZERO)
    st = sum((r.icms_st for r in rows), ZERO)
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            company_id=company_id,
            number=document_number("purchasing.order", company_id=company_id),
            supplier=supplier,
            warehouse=warehouse,
            order_date=timezone.localdate(),
            expected_date=data.expected_date
            or (timezone.localdate() + timedelta(days=supplier.lead_time_days) if supplier.lead_time_days else None),
            payment_terms=terms.strip(),
            freight=data.charges.freight,
            insurance=data.charges.insurance,
            other_expenses=data.charges.other_expenses,
            goods_total=goods,
            discount_total=discount,
            ipi_total=ipi,
            icms_st_total=st,
            total=goods - discount + ipi + st + data.charges.total,
            notes=(data.notes or "").strip(),
            created_by_id=actor.user_id,
        )
        for row in rows:
            row.order = order
        PurchaseOrderLine.objects.bulk_create(rows)
        record_opened(order, OrderState.DRAFT, actor=actor)
        for request_id in sorted({rl.request_id for rl in request_lines.values()}):
            transition(
                PurchaseRequest,
                request_id,
                to=RequestState.ORDERED,
                actor=actor,
                payload={"order": order.number},
                queryset=scoped(PurchaseRequest, actor),
            )
    return order


def send_order(order_id: int, *, actor: Actor) -> PurchaseOrder:
    """Draft → ordered: the order goes to the supplier (its PDF by e-mail, after commit)."""
    with transaction.atomic():
        order = transition(
            PurchaseOrder, order_id, to=OrderState.ORDERED, actor=actor, queryset=scoped(PurchaseOrder, actor)
        )
        order.sent_at = timezone.now()
        order.save(update_fields=["sent_at", "updated_at"])
        audit.record(actor, order, "sent")
        outbox.emit("purchasing.order.sent", {"order_id": order.pk}, company_id=order.company_id)
    return order


def cancel_order(order_id: int, *, actor: Actor, reason: str = "") -> PurchaseOrder:
    """Only while nothing was received."""
    if len(reason or "") > 200:
        raise ValidationFailed(details=[{"field": "reason", "message": _("At most 200 characters.")}])
    with transaction.atomic():
        order = transition(
            PurchaseOrder,
            order_id,
            to=OrderState.CANCELLED,
            actor=actor,
            payload={"reason": reason.strip()} if reason else None,
            queryset=scoped(PurchaseOrder, actor),
        )
        audit.record(actor, order, "cancelled")
    return order
