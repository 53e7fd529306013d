"""Receipts (entradas): drafted against purchase orders or standalone, then posted: stock in at landed
cost through `inventory.post_moves`, the orders' received quantities and states, and the payable
through `finance.create_title`, all in one transaction.

Lock order: purchase orders (by id), their lines (by id), then inventory's balance and cost rows, then
finance's title: every path that posts a receipt takes them in this order."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.companies.models import Company, TaxRegime
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import insert_instances
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO, amount, quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.finance import services as finance
from retaguarda.inventory import services as inventory
from retaguarda.inventory.models import LocationKind
from retaguarda.purchasing.errors import InstallmentsMismatch, NfeAlreadyImported, OverReceipt
from retaguarda.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptInstallment,
    ReceiptLine,
    ReceiptLineLot,
)
from retaguarda.purchasing.services.common import (
    installments_from_terms,
    record_opened,
    supplier_problems,
    terms_days,
    warehouse_problems,
)
from retaguarda.purchasing.services.landed import LandedIn, landed_costs
from retaguarda.purchasing.services.lines import CostLineIn, goods_value, line_problems, load_products, unit_and_factor
from retaguarda.purchasing.services.orders import Charges
from retaguarda.purchasing.states import RECEIVABLE_STATES, OrderState, ReceiptState

# What posting reads of a receipt line: plain rows (named tuples), not 1,000 model instances.
POSTING_FIELDS = ("pk", "product_id", "order_line_id", "stock_quantity", "lot_code", "lot_expiry", "unit_stock_cost")


@dataclass(frozen=True)
class LotIn:
    """A lot of a receipt line (the NF-e's `rastro`); the quantity in the line's unit."""

    code: str
    quantity: Decimal
    expiry: date | None = None
    manufactured: date | None = None


@dataclass(frozen=True)
class ReceiptLineIn(CostLineIn):
    order_line_id: int | None = None
    lot_code: str = ""
    lot_expiry: date | None = None
    icms_credit: Decimal = ZERO
    pis_credit: Decimal = ZERO
    cofins_credit: Decimal = ZERO
    shares: tuple[Decimal, Decimal, Decimal] | None = None  # freight, insurance, other of this line (NF-e)
    supplier_code: str = ""
    cfop: str = ""
    goods: Decimal | None = None  # the XML's `vProd` when imported; else quantity times unit cost
    lots: Sequence[LotIn] = ()  # several lots (or one with its dates); instead of lot_code


@dataclass(frozen=True)
class InstallmentIn:
    due_date: date
    amount: Decimal
    number: str = ""


@dataclass(frozen=True)
class ReceiptIn:
    supplier_id: int
    warehouse_id: int
    lines: Sequence[ReceiptLineIn]
    charges: Charges = field(default_factory=Charges)
    issue_date: date | None = None
    invoice_number: str = ""
    nfe_key: str = ""
    payment_terms: str | None = None  # None: the order's, else the supplier's
    installments: Sequence[InstallmentIn] = ()  # the NF-e's `dup`; empty: from the payment terms


def charges_from_orders(actor: Actor, order_ids: Sequence[int]) -> Charges:
    """The freight, insurance and other expenses of the orders nothing was received from yet: the first
    receipt of an order brings its charges; later partial receipts bring only what their invoice says."""
    rows = PurchaseOrder.objects.filter(
        pk__in=list(order_ids), company_id=company_id_of(actor), state=OrderState.ORDERED
    ).values_list("freight", "insurance", "other_expenses")
    return Charges(*(sum((row[k] for row in rows), ZERO) for k in range(3)))


def lines_from_orders(actor: Actor, order_ids: Sequence[int]) -> list[ReceiptLineIn]:
    """What is still open on the orders, as receipt lines to confirm or edit."""
    lines = (
        PurchaseOrderLine.objects.filter(
            order_id__in=list(order_ids), order__company_id=company_id_of(actor), order__state__in=RECEIVABLE_STATES
        )
        .order_by("order_id", "id")
        .only(
            "product_id", "quantity", "received_quantity", "unit", "factor", "unit_cost", "discount", "ipi", "icms_st"
        )
    )
    result = []
    for line in lines:
        open_qty = line.open_quantity
        if open_qty <= 0:
            continue
        part = open_qty / line.quantity
        result.append(
            ReceiptLineIn(
                product_id=line.product_id,
                quantity=open_qty,
                unit_cost=line.unit_cost,
                unit=line.unit,
                factor=line.factor,
                discount=amount(line.discount * part),
                ipi=amount(line.ipi * part),
                icms_st=amount(line.icms_st * part),
                order_line_id=line.pk,
            )
        )
    return result


def _order_line_problems(actor: Actor, data: ReceiptIn) -> tuple[dict[int, PurchaseOrderLine], list[dict]]:
    wanted = {line.order_line_id for line in data.lines if line.order_line_id is not None}
    if not wanted:
        return {}, []
    found = (
        PurchaseOrderLine.objects.filter(pk__in=wanted, order__company_id=company_id_of(actor))
        .select_related("order")
        .in_bulk()
    )
    details = []
    for i, line in enumerate(data.lines):
        if line.order_line_id is None:
            continue
        order_line = found.get(line.order_line_id)
        where = f"lines.{i}.order_line_id"
        if order_line is None:
            details.append(missing_row(where, _("Order line not found.")))
        elif order_line.order.supplier_id != data.supplier_id:
            details.append({"field": where, "message": _("The order is from another supplier.")})
        elif order_line.order.state not in RECEIVABLE_STATES:
            details.append({"field": where, "message": _("The order is not open for receipts.")})
        elif order_line.product_id != line.product_id:
            details.append({"field": f"lines.{i}.product_id", "message": _("The product differs from the order's.")})
    return found, details


def _credit_problems(lines: Sequence[ReceiptLineIn]) -> list[dict]:
    details = []
    for i, line in enumerate(lines):
        for name in ("icms_credit", "pis_credit", "cofins_credit"):
            value = getattr(line, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or amount(value) != value:
                details.append(
                    {"field": f"lines.{i}.{name}", "message": _("Enter an amount of zero or more (2 decimal places).")}
                )
        if line.shares is not None and any(
            not isinstance(v, Decimal) or not v.is_finite() or v < 0 or amount(v) != v for v in line.shares
        ):
            details.append(
                {"field": f"lines.{i}.shares", "message": _("Enter an amount of zero or more (2 decimal places).")}
            )
        if line.goods is not None and (
            not isinstance(line.goods, Decimal)
            or not line.goods.is_finite()
            or line.goods < 0
            or amount(line.goods) != line.goods
        ):
            details.append(
                {"field": f"lines.{i}.goods", "message": _("Enter an amount of zero or more (2 decimal places).")}
            )
        if len(line.lot_code or "") > 40 or len(line.supplier_code or "") > 60 or len(line.cfop or "") > 4:
            details.append({"field": f"lines.{i}", "message": _("Text too long.")})
        details += _lot_problems(i, line)
    return details


def _lot_problems(i: int, line: ReceiptLineIn) -> list[dict]:
    if not line.lots:
        return []
    where = f"lines.{i}.lots"
    if line.lot_code:
        return [{"field": where, "message": _("Give either one lot code or the list of lots, not both.")}]
    details = []
    for k, lot in enumerate(line.lots):
        if not (lot.code or "").strip() or len(lot.code) > 40:
            details.append({"field": f"{where}.{k}.code", "message": _("Enter the lot code (up to 40 characters).")})
        ok = isinstance(lot.quantity, Decimal) and lot.quantity.is_finite() and lot.quantity > 0
        if not ok or quantity(lot.quantity) != lot.quantity:
            details.append(
                {
                    "field": f"{where}.{k}.quantity",
                    "message": _("Enter a quantity greater than zero (4 decimal places)."),
                }
            )
        elif lot.manufactured and lot.expiry and lot.manufactured > lot.expiry:
            details.append({"field": f"{where}.{k}.expiry", "message": _("The expiry date is before manufacture.")})
    if not details and sum((lot.quantity for lot in line.lots), ZERO) != line.quantity:
        details.append(
            {
                "field": where,
                "message": _("The lots add up to %(lots)s but the line has %(line)s.")
                % {"lots": sum((lot.quantity for lot in line.lots), ZERO), "line": line.quantity},
            }
        )
    return details


def create_receipt(data: ReceiptIn, *, actor: Actor) -> Receipt:
    """A draft receipt with its landed costs computed; nothing moves until it is posted."""
    company_id = company_id_of(actor)
    products = load_products(data.lines)
    supplier, details = supplier_problems(actor, data.supplier_id)
    warehouse, more = warehouse_problems(actor, data.warehouse_id)
    details += more + data.charges.problems() + line_problems(data.lines, products, company_id)
    details += _credit_problems(data.lines)
    order_lines, more = _order_line_problems(actor, data)
    details += more
    issue_date = data.issue_date or timezone.localdate()
    if issue_date > timezone.localdate():
        details.append({"field": "issue_date", "message": _("The invoice date cannot be in the future.")})
    if len(data.invoice_number or "") > 20:
        details.append({"field": "invoice_number", "message": _("At most 20 characters.")})
    if data.nfe_key and len(data.nfe_key) != 44:
        details.append({"field": "nfe_key", "message": _("The NF-e access key has 44 characters.")})
    terms = data.payment_terms
    if terms is None:
        orders = {ol.order for ol in order_lines.values()}
        terms = next(iter(orders)).payment_terms if len(orders) == 1 else (supplier.payment_terms if supplier else "")
    try:
        terms_days(terms)
    except ValidationFailed as exc:
        details += exc.details
    if details:
        raise ValidationFailed(details=details)

    regime = Company.objects.filter(pk=company_id).values_list("tax_regime", flat=True).first()
    recoverable = regime == TaxRegime.NORMAL  # only the regime normal takes ICMS, PIS and COFINS credits
    rows, landed_in = [], []
    for line in data.lines:
        order_line = order_lines.get(line.order_line_id)
        default_unit = (
            line
            if order_line is None
            else CostLineIn(
                product_id=line.product_id,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                unit=line.unit or order_line.unit,
                factor=line.factor if line.factor is not None else order_line.factor,
            )
        )
        unit, factor = unit_and_factor(default_unit, products[line.product_id])
        credits = (line.icms_credit, line.pis_credit, line.cofins_credit) if recoverable else (ZERO, ZERO, ZERO)
        goods = line.goods if line.goods is not None else goods_value(line)
        rows.append(
            ReceiptLine(
                product_id=line.product_id,
                order_line_id=line.order_line_id,
                quantity=line.quantity,
                unit=unit,
                factor=factor,
                unit_cost=line.unit_cost,
                discount=line.discount,
                ipi=line.ipi,
                icms_st=line.icms_st,
                goods_value=goods,
                icms_credit=credits[0],
                pis_credit=credits[1],
                cofins_credit=credits[2],
                stock_quantity=quantity(line.quantity * factor),
                lot_code=(line.lot_code or "").strip(),
                lot_expiry=line.lot_expiry,
                supplier_code=(line.supplier_code or "").strip(),
                cfop=line.cfop or "",
            )
        )
        landed_in.append(
            LandedIn(
                goods,
                line.discount,
                line.ipi,
                line.icms_st,
                quantity(line.quantity * factor),
                sum(credits, ZERO),
                line.shares,
            )
        )
    charges = data.charges
    if landed_in and all(li.shares is not None for li in landed_in):
        charges = Charges(*(sum((li.shares[k] for li in landed_in), ZERO) for k in range(3)))
    landed = landed_costs(landed_in, charges.freight, charges.insurance, charges.other_expenses)
    problems = []
    for i, (row, result) in enumerate(zip(rows, landed, strict=True)):
        row.freight_share, row.insurance_share, row.other_share = result.freight, result.insurance, result.other
        row.landed_total, row.cost_value, row.unit_stock_cost = result.landed_total, result.cost_value, result.unit_cost
        if result.cost_value < 0:
            problems.append({"field": f"lines.{i}.icms_credit", "message": _("The credits exceed the line's cost.")})
        if row.stock_quantity <= 0:
            problems.append(
                {"field": f"lines.{i}.quantity", "message": _("The quantity in stock units rounds to zero.")}
            )
    total = sum((r.landed_total for r in rows), ZERO)
    installments = list(data.installments)
    for i, inst in enumerate(installments):
        ok = (
            isinstance(inst.amount, Decimal)
            and inst.amount.is_finite()
            and inst.amount > 0
            and amount(inst.amount) == inst.amount
        )
        if not ok:
            problems.append({"field": f"installments.{i}.amount", "message": _("Enter an amount greater than zero.")})
        if not isinstance(inst.due_date, date):
            problems.append({"field": f"installments.{i}.due_date", "message": _("Invalid date.")})
    if problems:
        raise ValidationFailed(details=problems)
    if installments and sum((i.amount for i in installments), ZERO) != total:
        raise InstallmentsMismatch(
            _("The installments add up to %(sum)s but the receipt's total is %(total)s.")
            % {"sum": sum((i.amount for i in installments), ZERO), "total": total}
        )
    if not installments:
        installments = [InstallmentIn(due, part) for due, part in installments_from_terms(total, terms, issue_date)]

    with transaction.atomic():
        if (
            data.nfe_key
            and scoped(Receipt, actor).filter(nfe_key=data.nfe_key).exclude(state=ReceiptState.CANCELLED).exists()
        ):
            raise NfeAlreadyImported()
        try:
            with transaction.atomic():
                receipt = Receipt.objects.create(
                    company_id=company_id,
                    number=document_number("purchasing.receipt", company_id=company_id),
                    supplier=supplier,
                    warehouse=warehouse,
                    issue_date=issue_date,
                    invoice_number=(data.invoice_number or "").strip(),
                    nfe_key=data.nfe_key or "",
                    payment_terms=(terms or "").strip(),
                    freight=charges.freight,
                    insurance=charges.insurance,
                    other_expenses=charges.other_expenses,
                    goods_total=sum((r.goods_value for r in rows), ZERO),
                    discount_total=sum((r.discount for r in rows), ZERO),
                    ipi_total=sum((r.ipi for r in rows), ZERO),
                    icms_st_total=sum((r.icms_st for r in rows), ZERO),
                    total=total,
                    cost_total=sum((r.cost_value for r in rows), ZERO),
                    credits_total=sum((r.icms_credit + r.pis_credit + r.cofins_credit for r in rows), ZERO),
                    created_by_id=actor.user_id,
                )
        except IntegrityError as exc:  # the same key entered by a concurrent import
            raise NfeAlreadyImported() from exc
        for row in rows:
            row.receipt = receipt
        insert_instances(ReceiptLine, rows)
        ReceiptLineLot.objects.bulk_create(
            [lot for row, line in zip(rows, data.lines, strict=True) for lot in _line_lots(row, line)]
        )
        ReceiptInstallment.objects.bulk_create(
            [
                ReceiptInstallment(receipt=receipt, number=i.number, due_date=i.due_date, amount=i.amount)
                for i in installments
            ]
        )
        record_opened(receipt, ReceiptState.DRAFT, actor=actor)
    return receipt


def _line_lots(row: ReceiptLine, line: ReceiptLineIn) -> list[ReceiptLineLot]:
    """The line's lots, their stock quantities converted; the last takes what rounding left so they add
    up to the line's stock quantity exactly."""
    lots = [
        ReceiptLineLot(
            line=row,
            code=lot.code.strip(),
            quantity=lot.quantity,
            stock_quantity=quantity(lot.quantity * row.factor),
            manufactured=lot.manufactured,
            expiry=lot.expiry,
        )
        for lot in line.lots
    ]
    if lots:
        lots[-1].stock_quantity = row.stock_quantity - sum((lot.stock_quantity for lot in lots[:-1]), ZERO)
    return lots


def post_receipt(receipt_id: int, *, actor: Actor) -> Receipt:
    """Draft → posted: stock in at landed cost, order lines received, the payable created."""
    with transaction.atomic():
        receipt = transition(Receipt, receipt_id, to=ReceiptState.POSTED, actor=actor, queryset=scoped(Receipt, actor))
        lines = list(receipt.lines.values_list(*POSTING_FIELDS, named=True))
        _receive_on_orders(receipt, lines, actor=actor)
        _post_stock(receipt, lines, actor=actor)
        receipt.title = _create_payable(receipt, actor=actor)
        receipt.posted_at = timezone.now()
        receipt.save(update_fields=["title", "posted_at", "updated_at"])
        audit.record(actor, receipt, "posted")
    return receipt


def cancel_receipt(receipt_id: int, *, actor: Actor) -> Receipt:
    """Only a draft: a posted receipt is corrected by a return."""
    with transaction.atomic():
        receipt = transition(
            Receipt, receipt_id, to=ReceiptState.CANCELLED, actor=actor, queryset=scoped(Receipt, actor)
        )
        audit.record(actor, receipt, "cancelled")
    return receipt


def _receive_on_orders(receipt: Receipt, lines: list, *, actor: Actor) -> None:
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)  # stock units, by order line
    for line in lines:
        if line.order_line_id is not None:
            taken[line.order_line_id] += line.stock_quantity
    if not taken:
        return
    order_ids = sorted(set(PurchaseOrderLine.objects.filter(pk__in=taken).values_list("order_id", flat=True)))
    orders = {o.pk: o for o in PurchaseOrder.objects.select_for_update().filter(pk__in=order_ids).order_by("id")}
    order_lines = list(PurchaseOrderLine.objects.select_for_update().filter(order_id__in=order_ids).order_by("id"))
    by_id = {ol.pk: ol for ol in order_lines}
    over = []
    for ol_id, stock_qty in taken.items():
        order_line = by_id[ol_id]
        order = orders[order_line.order_id]
        qty = quantity(stock_qty / order_line.factor)  # in the order's purchase unit
        if order.state not in RECEIVABLE_STATES or qty > order_line.open_quantity:
            open_qty = order_line.open_quantity if order.state in RECEIVABLE_STATES else ZERO
            over.append({"order": order.number, "line": ol_id, "open": str(open_qty), "received": str(qty)})
        order_line.received_quantity += qty
    if over:
        raise OverReceipt(details=over)
    PurchaseOrderLine.objects.bulk_update([by_id[i] for i in taken], ["received_quantity"])
    for order_id in order_ids:
        done = all(ol.received_quantity >= ol.quantity for ol in order_lines if ol.order_id == order_id)
        target = OrderState.RECEIVED if done else OrderState.PARTIALLY_RECEIVED
        if orders[order_id].state != target:
            transition(PurchaseOrder, order_id, to=target, actor=actor, payload={"receipt": receipt.number})


def _post_stock(receipt: Receipt, lines: list, *, actor: Actor) -> None:
    """One move per line, or per lot of the line, at the line's unit cost; every lot found or created at once."""
    supplier = inventory.virtual_location(receipt.company_id, LocationKind.SUPPLIER)
    stock = inventory.stock_location(receipt.warehouse_id)
    line_lots: dict[int, list[ReceiptLineLot]] = defaultdict(list)
    for lot in ReceiptLineLot.objects.filter(line__receipt=receipt).order_by("id"):
        line_lots[lot.line_id].append(lot)
    by_line = {line.pk: line for line in lines}
    wanted = [(line.product_id, line.lot_code, line.lot_expiry) for line in lines if line.lot_code]
    wanted += [(by_line[lot.line_id].product_id, lot.code, lot.expiry) for lots in line_lots.values() for lot in lots]
    found = inventory.lots_for(actor=actor, wanted=wanted) if wanted else {}
    reason = str(receipt)
    moves = []
    for line in lines:
        parts = [(lot.code, lot.stock_quantity) for lot in line_lots[line.pk]] or [(line.lot_code, line.stock_quantity)]
        for code, qty in parts:
            moves.append(
                inventory.MoveIn(
                    product_id=line.product_id,
                    quantity=qty,
                    from_location_id=supplier.pk,
                    to_location_id=stock.pk,
                    source=inventory.Source(Receipt.SOURCE, receipt.pk, line.pk),
                    lot_id=found[(line.product_id, code.strip())].pk if code else None,
                    unit_cost=line.unit_stock_cost,
                    reason=reason,
                )
            )
    inventory.post_moves(moves, actor=actor)


def _create_payable(receipt: Receipt, *, actor: Actor):
    installments = list(receipt.installments.all())
    if receipt.total <= 0 or not installments:
        return None
    document = _("NF %(number)s") % {"number": receipt.invoice_number} if receipt.invoice_number else str(receipt)
    return finance.create_title(
        actor=actor,
        kind="payable",
        category_role="purchases",
        party_id=receipt.supplier_id,
        installments=[finance.InstallmentIn(i.due_date, i.amount) for i in installments],
        issue_date=min([receipt.issue_date] + [i.due_date for i in installments]),
        competence_date=receipt.issue_date,
        source=finance.SourceRef(Receipt.SOURCE, receipt.pk),
        description=str(receipt),
        document_number=document,
        nfe_key=receipt.nfe_key,
    )
