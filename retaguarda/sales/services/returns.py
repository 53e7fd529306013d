"""Returns (devoluções): chosen lines and quantities of an invoiced order come back.

`create_return` checks the quantities (never more than was sold less what already came back), works
out each line's share of the order's values, and asks fiscal for the return NF-e (finalidade
devolução, referencing the original notes' keys), queued for SEFAZ in the same transaction. Once
authorized (`fiscal.document.authorized`, handled by `complete_return`), the goods come back at the
cost they left with, to the warehouse's stock (CMV reversed) or to scrap, and the customer is
credited on the order's receivable (what exceeds its open amount becomes a refund due)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO, amount, quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.scope import scoped
from retaguarda.core.states import transition
from retaguarda.finance import services as finance
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import MAX_ITEMS, FiscalDocument
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory import services as inventory
from retaguarda.inventory.models import LocationKind, StockMove
from retaguarda.sales.models import ReturnDestination, SalesOrder, SalesOrderLine, SalesReturn, SalesReturnLine
from retaguarda.sales.selectors import notes_of
from retaguarda.sales.states import OrderState, ReturnState

RETURNABLE = (OrderState.INVOICED, OrderState.SHIPPED, OrderState.DELIVERED)
COST_SOURCE = "sales.return_cost"
SCRAP_SOURCE = "sales.return_scrap"
SHARES = ("discount", "freight", "insurance", "other")


@dataclass(frozen=True)
class ReturnLineIn:
    line: int  # the order line's number
    quantity: Decimal


def _shares(line: SalesOrderLine, qty: Decimal, before: dict) -> dict:
    """The returned part of a line's values; the last part takes what is left, so the parts add up to
    the line exactly."""
    if qty + before["quantity"] == line.quantity:
        values = {name: getattr(line, name) - before[name] for name in ("gross", *SHARES)}
    else:
        ratio = qty / line.quantity
        values = {"gross": amount(qty * line.unit_price)}
        values.update({name: amount(getattr(line, name) * ratio) for name in SHARES})
    values["total"] = values["gross"] - values["discount"] + values["freight"] + values["insurance"] + values["other"]
    return values


def _returned_before(order: SalesOrder) -> dict[int, dict]:
    """What already came back of each order line: quantity and values, in one query."""
    names = ("quantity", "gross", *SHARES)
    rows = (
        SalesReturnLine.objects.filter(sales_return__order=order)
        .values("order_line_id")
        .annotate(**{f"sum_{name}": DecimalSum(name, default=ZERO) for name in names})
    )
    before = defaultdict(lambda: dict.fromkeys(names, ZERO))
    for row in rows:
        before[row["order_line_id"]] = {name: row[f"sum_{name}"] for name in names}
    return before


def create_return(
    order_id: int,
    lines: Sequence[ReturnLineIn],
    *,
    actor: Actor,
    reason: str,
    destination: str = ReturnDestination.STOCK,
) -> SalesReturn:
    problems = []
    if destination not in ReturnDestination.values:
        problems.append({"field": "destination", "message": _("Choose where the goods go.")})
    if not (reason or "").strip():
        problems.append({"field": "reason", "message": _("Say why the goods came back.")})
    if not lines:
        problems.append({"field": "lines", "message": _("Choose at least one line to return.")})
    with transaction.atomic():
        order = scoped(SalesOrder, actor).select_for_update().select_related("channel").filter(pk=order_id).first()
        if order is None:
            raise NotFound()
        if order.state not in RETURNABLE:
            raise ValidationFailed(_("Only an invoiced order takes returns."))
        by_number = {line.number: line for line in order.lines.all()}
        before = _returned_before(order)
        chosen: list[tuple[SalesOrderLine, Decimal]] = []
        for i, item in enumerate(lines, 1):
            line = by_number.get(item.line)
            q = item.quantity
            if line is None:
                problems.append(
                    {"field": f"lines.{i}.line", "message": _("Line %(n)s is not in the order.") % {"n": item.line}}
                )
            elif not q.is_finite() or q <= 0 or quantity(q) != q:
                problems.append(
                    {
                        "field": f"lines.{i}.quantity",
                        "message": _("Line %(n)s: the quantity must be positive.") % {"n": item.line},
                    }
                )
            elif q + before[line.pk]["quantity"] > line.quantity:
                problems.append(
                    {
                        "field": f"lines.{i}.quantity",
                        "message": _("Line %(n)s: at most %(left)s can still come back.")
                        % {"n": item.line, "left": line.quantity - before[line.pk]["quantity"]},
                    }
                )
            else:
                chosen.append((line, q))
        if problems:
            raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
        ret = SalesReturn.objects.create(
            company_id=order.company_id,
            number=document_number("sales.return", company_id=order.company_id),
            order=order,
            destination=destination,
            reason=reason.strip()[:200],
            created_by_id=actor.user_id,
        )
        rows = [
            SalesReturnLine(sales_return=ret, order_line=line, quantity=q, **_shares(line, q, before[line.pk]))
            for line, q in chosen
        ]
        SalesReturnLine.objects.bulk_create(rows)
        ret.total = sum((r.total for r in rows), ZERO)
        ret.save(update_fields=["total"])
        _return_notes(order, ret, rows, actor)
        DocumentEvent.objects.create(
            document_type=SalesReturn._meta.label_lower,
            document_id=ret.pk,
            to_state=ret.state,
            user=actor.user,
            origin=actor.origin,
            payload={"order": order.number},
        )
        audit.record(actor, ret, "created", {"order": [None, order.number], "total": [None, str(ret.total)]})
    return ret


def _return_notes(order: SalesOrder, ret: SalesReturn, rows: list[SalesReturnLine], actor: Actor) -> None:
    keys = list(notes_of(order).filter(state=DocumentState.AUTHORIZED).values_list("key", flat=True))
    if not keys:
        raise ValidationFailed(_("The order has no authorized note to return against."))
    for start in range(0, len(rows), MAX_ITEMS):
        chunk = rows[start : start + MAX_ITEMS]
        draft = fiscal.build_document(
            fiscal.DocumentIn(
                items=tuple(
                    fiscal.ItemIn(
                        product_id=r.order_line.product_id,
                        quantity=r.quantity,
                        unit_price=r.order_line.unit_price,
                        discount=r.discount,
                        freight=r.freight,
                        insurance=r.insurance,
                        other=r.other,
                        source_line=f"{SalesReturn.SOURCE_TYPE}:{ret.pk}:{r.order_line.number}",
                    )
                    for r in chunk
                ),
                recipient_id=order.customer_id,
                referenced_keys=tuple(keys),
                additional_info=_("Return of order %(number)s: %(reason)s")
                % {"number": order.number, "reason": ret.reason},
                source_type=SalesReturn.SOURCE_TYPE,
                source_id=ret.pk,
            ),
            actor=actor,
        )
        fiscal.issue_document(draft.pk, actor=actor)


def complete_return(return_id: int, *, company_id: int) -> SalesReturn | None:
    """Once the return notes are authorized: goods back, CMV reversed (stock only), customer credited."""
    actor = Actor.system(company_id=company_id)
    with transaction.atomic():
        ret = (
            SalesReturn.objects.select_for_update()
            .select_related("order")
            .filter(pk=return_id, company_id=company_id, state=ReturnState.INVOICING)
            .first()
        )
        if ret is None:
            return None
        notes = list(
            FiscalDocument.objects.filter(
                company_id=company_id, source_type=SalesReturn.SOURCE_TYPE, source_id=ret.pk
            ).exclude(state__in=[DocumentState.DISCARDED, DocumentState.VOIDED])
        )
        if not notes or any(n.state != DocumentState.AUTHORIZED for n in notes):
            return None
        order = ret.order
        rows = list(ret.lines.select_related("order_line"))
        by_line = {r.order_line.number: r for r in rows}
        issued = StockMove.objects.filter(
            company_id=company_id, source_type=SalesOrder.SOURCE_TYPE, source_id=order.pk, source_line__in=list(by_line)
        )
        moves, scrapped, cost = [], [], ZERO
        scrap = (
            inventory.virtual_location(company_id, LocationKind.SCRAP).pk
            if ret.destination == ReturnDestination.SCRAP
            else None
        )
        for m in issued:
            r = by_line[m.source_line]
            q = quantity(m.quantity * r.quantity / r.order_line.quantity)
            if q <= 0:
                continue
            cost += q * m.unit_cost
            moves.append(
                inventory.MoveIn(
                    product_id=m.product_id,
                    quantity=q,
                    from_location_id=m.to_location_id,
                    to_location_id=m.from_location_id,
                    source=inventory.Source(SalesReturn.SOURCE_TYPE, ret.pk, m.source_line),
                    lot_id=m.lot_id,
                    unit_cost=m.unit_cost,
                    reason=str(ret),
                )
            )
            if ret.destination == ReturnDestination.SCRAP:
                # Damaged goods are received (the return note brings them in) and written off at once.
                scrapped.append(
                    inventory.MoveIn(
                        product_id=m.product_id,
                        quantity=q,
                        from_location_id=m.from_location_id,
                        to_location_id=scrap,
                        source=inventory.Source(SCRAP_SOURCE, ret.pk, m.source_line),
                        lot_id=m.lot_id,
                        reason=str(ret),
                    )
                )
        if moves:
            inventory.post_moves(moves, actor=actor)
        if scrapped:
            inventory.post_moves(scrapped, actor=actor)
        cost = amount(cost)
        day = timezone.localdate()
        if cost and ret.destination == ReturnDestination.STOCK:
            finance.post_result(
                actor=actor,
                on=day,
                source=finance.SourceRef(COST_SOURCE, ret.pk),
                lines=[finance.ResultLine("cmv", -cost)],
                description=str(ret),
            )
        refund = None
        if order.receivable_id and ret.total > 0:
            refund = finance.credit_title(
                order.receivable_id,
                actor=actor,
                amount=ret.total,
                source=finance.SourceRef(SalesReturn.SOURCE_TYPE, ret.pk),
                on=day,
                reason=ret.reason,
            )
        ret = transition(SalesReturn, ret.pk, to=ReturnState.COMPLETED, actor=actor, payload={"cost": str(cost)})
        ret.cost, ret.refund = cost, refund
        ret.save(update_fields=["cost", "refund", "updated_at"])
        audit.record(actor, ret, "completed", {"cost": [None, str(cost)], "credited": [None, str(ret.total)]})
    return ret
