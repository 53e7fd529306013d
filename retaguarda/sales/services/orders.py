"""Sales orders: taken (from a page, the API or a channel), confirmed (stock reserved), cancelled.

Taking an order costs the same queries for 1 line as for 990: products, prices and the customer are
read in one query each, the lines written with one INSERT."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import insert_together
from retaguarda.core.errors import InvalidTransition, NotFound, ValidationFailed, missing_row
from retaguarda.core.formats import grouped
from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.core.money import amount, quantity, quantize
from retaguarda.core.numbering import number_and_id, number_and_id_params
from retaguarda.core.raw_rows import unsaved
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.core.versioning import lock_for_edit
from retaguarda.finance.selectors import customer_position
from retaguarda.inventory import services as inventory
from retaguarda.inventory.models import Location, Warehouse
from retaguarda.parties import services as parties
from retaguarda.parties.errors import DuplicateDocument
from retaguarda.parties.models import Party
from retaguarda.sales.credit import exposures
from retaguarda.sales.errors import CreditLimitExceeded, CustomerOverdue, DuplicateExternalId, UnknownProducts
from retaguarda.sales.models import SalesChannel, SalesOrder, SalesOrderLine, Salesperson
from retaguarda.sales.services import lookups
from retaguarda.sales.services.amounts import OrderMoney, order_money
from retaguarda.sales.services.inputs import CustomerIn, LineIn, OrderIn
from retaguarda.sales.services.pricing import list_prices
from retaguarda.sales.services.reversals import cancel_invoiced
from retaguarda.sales.states import OrderState
from retaguarda.watch import triggers

MAX_LINES = 5000
ORDER_SERIES = "sales.order"  # the numbering series of orders
OWNER = "sales"  # the app that owns `sales.order` reservations (inventory.ownership)
TERMS = re.compile(r"^\s*\d{1,3}(\s*/\s*\d{1,3})*\s*$")


def _money_problems(data: OrderIn) -> list[dict]:
    problems = []
    if not data.lines:
        problems.append({"field": "lines", "message": _("Add at least one line.")})
    if len(data.lines) > MAX_LINES:
        problems.append({"field": "lines", "message": _("At most %(n)s lines per order.") % {"n": MAX_LINES}})
    for name in ("discount", "freight", "insurance", "other_costs"):
        value = getattr(data, name)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or amount(value) != value:
            problems.append({"field": name, "message": _("Enter an amount of zero or more (2 decimal places).")})
    for i, line in enumerate(data.lines, 1):
        q = line.quantity
        if not isinstance(q, Decimal) or not q.is_finite() or q <= 0 or quantity(q) != q:
            problems.append(
                {
                    "field": f"lines.{i}.quantity",
                    "message": _("Line %(n)s: the quantity must be positive (4 decimal places).") % {"n": i},
                }
            )
        if line.unit_price is not None and (not line.unit_price.is_finite() or line.unit_price < 0):
            problems.append(
                {"field": f"lines.{i}.unit_price", "message": _("Line %(n)s: the price cannot be negative.") % {"n": i}}
            )
        d = line.discount
        if not d.is_finite() or d < 0 or amount(d) != d:
            problems.append(
                {
                    "field": f"lines.{i}.discount",
                    "message": _("Line %(n)s: enter a discount of zero or more (2 decimal places).") % {"n": i},
                }
            )
        if line.product_id is None and not line.sku.strip():
            problems.append(
                {"field": f"lines.{i}.sku", "message": _("Line %(n)s: name the product (SKU or id).") % {"n": i}}
            )
    if data.payment_terms and not TERMS.match(data.payment_terms):
        problems.append({"field": "payment_terms", "message": _("Payment terms are days such as 30/60/90.")})
    return problems


def _wanted(lines: tuple[LineIn, ...]) -> tuple[set[int], set[str]]:
    """The ids and the codes (SKU or GTIN) the lines name their products by."""
    ids = {line.product_id for line in lines if line.product_id is not None}
    return ids, {line.sku.strip() for line in lines if line.product_id is None}


def _products(found: list[Product], lines: tuple[LineIn, ...]) -> tuple[list[Product], list[dict]]:
    """Each line's product among those `found` by id, SKU or GTIN; every unknown one listed."""
    by_id = {p.pk: p for p in found}
    by_sku = {p.sku: p for p in found}
    by_gtin = {p.gtin: p for p in found if p.gtin and p.gtin != "SEM GTIN"}
    chosen, unknown = [], []
    for i, line in enumerate(lines, 1):
        if line.product_id is not None:
            product = by_id.get(line.product_id)
        else:
            code = line.sku.strip()
            product = by_sku.get(code) or by_gtin.get(code)
        if product is None or not product.is_active:
            unknown.append(
                {
                    "field": f"lines.{i}",
                    "sku": line.sku.strip(),
                    "product_id": line.product_id,
                    "message": _("Line %(n)s: product “%(code)s” not found.")
                    % {"n": i, "code": line.sku.strip() or line.product_id},
                }
            )
        chosen.append(product)
    return chosen, unknown


def customer_for(customer: CustomerIn, *, actor: Actor) -> Party:
    """The company's party with this CPF/CNPJ, or a new customer registered from what the channel sent."""
    document = re.sub(r"[\s./-]", "", customer.document).upper()
    company_id = company_id_of(actor)
    found = lookups.party_by_document(company_id, document)
    if found is not None:
        return found
    try:
        return parties.create_party(
            actor=actor,
            kind="company" if len(document) == 14 else "individual",
            document=document,
            legal_name=customer.name,
            is_customer=True,
            email=customer.email,
            phone=customer.phone,
            addresses=[customer.address] if customer.address else [],
        )
    except DuplicateDocument:
        # A concurrent order registered the same customer first (create_party's savepoint kept ours clean).
        found = lookups.party_by_document(company_id, document)
        if found is None:
            raise
        return found


def _check_refs(data: OrderIn, channel: SalesChannel | None, company_id: int) -> list[dict]:
    problems = []
    if channel is None or not channel.active:
        problems.append(missing_row("channel_id", _("Sales channel not found.")))
    if (
        data.salesperson_id is not None
        and not scoped(Salesperson, company_id).filter(pk=data.salesperson_id, active=True).exists()
    ):
        problems.append(missing_row("salesperson_id", _("Salesperson not found.")))
    return problems


def _warehouse(data: OrderIn, channel: SalesChannel, company_id: int) -> Warehouse:
    if data.warehouse_id is None or data.warehouse_id == channel.warehouse_id:
        return channel.warehouse
    warehouse = scoped(Warehouse, company_id).filter(pk=data.warehouse_id, is_active=True).first()
    if warehouse is None:
        raise ValidationFailed(details=[missing_row("warehouse_id", _("Warehouse not found."))])
    return warehouse


@dataclass
class Priced:
    """An order's (or quote's) input checked and priced: what both documents are made of."""

    channel: SalesChannel
    day: date
    products: list[Product]
    unit_prices: list[Decimal]
    money: OrderMoney
    customer: Party | None  # the company's customer `customer_id` names, when it does
    numbered: tuple[int, int] | None = None  # PostgreSQL, when asked: the new order's number and id
    stock: Location | None = None  # the stock location of the channel's warehouse, when it has one


def _raise(problems: list[dict]) -> None:
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)


def price_input(data: OrderIn, company_id: int, *, number: bool = False, wake: bool = False) -> Priced:
    """Every check that reads no more than a few rows: amounts, channel, salesperson, products (the
    channel, the customer named by id and the products in one query), prices from the channel's list
    (one query); raises with every problem found. `number` (PostgreSQL): the new order's number and id
    come with that query (`Priced.numbered`); a refusal after it leaves a gap, as a rollback does.
    `wake` (with `number`, inside a transaction the caller rolls back whole if this raises): the worker's
    wake-up for the events the order will emit is written by that query too."""
    problems = _money_problems(data)
    if data.customer_id is None and data.customer is None:
        problems.append({"field": "customer", "message": _("Choose the customer.")})
    _raise(problems)
    numbering = number_and_id_params(ORDER_SERIES, company_id=company_id, model=SalesOrder) if number else None
    channel, customer, found, numbered, stock = lookups.order_refs(
        company_id,
        data.channel_id,
        data.customer_id,
        *_wanted(data.lines),
        numbering,
        outbox.wake_up_statement() if wake else None,
    )
    _raise(_check_refs(data, channel, company_id))
    products, unknown = _products(found, data.lines)
    if unknown:
        raise UnknownProducts(
            _("Products not found: %(codes)s")
            % {"codes": ", ".join(str(u["sku"] or u["product_id"]) for u in unknown)},
            details=unknown,
        )
    day = data.order_date or timezone.localdate()
    missing_price = [p for p, line in zip(products, data.lines, strict=True) if line.unit_price is None]
    prices = list_prices(missing_price, channel.price_list, day) if missing_price else {}
    unit_prices = [
        quantize(line.unit_price, 10) if line.unit_price is not None else prices[p.pk]
        for p, line in zip(products, data.lines, strict=True)
    ]
    money, problems = order_money(
        [(line.quantity, price, line.discount) for line, price in zip(data.lines, unit_prices, strict=True)],
        discount=data.discount,
        freight=data.freight,
        insurance=data.insurance,
        other=data.other_costs,
    )
    _raise(problems)
    return Priced(channel, day, products, unit_prices, money, customer, numbered, stock)


def customer_of(data: OrderIn, priced: Priced, actor: Actor) -> Party:
    """The customer `customer_id` names (read with the order's other references), or the one a channel
    sent by CPF/CNPJ, registered when new."""
    if data.customer_id is not None:
        if priced.customer is None:
            raise ValidationFailed(details=[missing_row("customer_id", _("Customer not found."))])
        return priced.customer
    return customer_for(data.customer, actor=actor)


def line_rows(model, data: OrderIn, priced: Priced, **parent) -> list:
    """The unsaved lines of an order or quote (`model`), numbered from 1, with their amounts."""
    return [
        unsaved(
            model,
            number=n,
            product=product,
            quantity=line.quantity,
            unit_price=price,
            gross=m.gross,
            line_discount=m.line_discount,
            discount=m.discount,
            freight=m.freight,
            insurance=m.insurance,
            other=m.other,
            total=m.total,
            **parent,
        )
        for n, (line, product, price, m) in enumerate(
            zip(data.lines, priced.products, priced.unit_prices, priced.money.lines, strict=True), 1
        )
    ]


def record_opened(document, actor: Actor, payload: dict | None = None, lines: int = 0, then: str = "") -> None:
    """A new document's first timeline event and its audit record (see `opening_rows`), written."""
    insert_together(*opening_rows(document, actor, payload, lines, then))


def opening_rows(document, actor: Actor, payload: dict | None = None, lines: int = 0, then: str = "") -> list[tuple]:
    """A new document's first timeline event and its audit record, unsaved (`insert_together` groups);
    with `then`, the document was moved on in the same transaction (an order taken and confirmed at once):
    its second event and record too; and what watch is told of the events (their outbox rows), as their
    signal would have told it."""
    label = document._meta.label_lower
    first = then and OrderState.DRAFT
    events = [
        unsaved(
            DocumentEvent,
            document_type=label,
            document_id=document.pk,
            to_state=first or document.state,
            user=actor.user,
            origin=actor.origin,
            payload=payload or {},
        )
    ]
    records = [
        audit.build(
            actor,
            document,
            "created",
            {"number": [None, document.number], "total": [None, str(document.total)], "lines": [None, lines]},
        )
    ]
    if then:
        events.append(
            unsaved(
                DocumentEvent,
                document_type=label,
                document_id=document.pk,
                from_state=first,
                to_state=then,
                user=actor.user,
                origin=actor.origin,
            )
        )
        records.append(audit.build(actor, document, then, {"total": [None, str(document.total)]}))
    watched = triggers.timeline_rows(events, company_id=document.company_id)  # watch sees the confirmation
    return [(DocumentEvent, events), (AuditRecord, records), *watched]


def create_order(
    data: OrderIn, *, actor: Actor, quote=None, confirm: bool = False, savepoint: bool = True
) -> SalesOrder:
    """A draft order from `data`, or with `confirm` an order confirmed at once (its stock reserved, all
    lines or none, as `confirm_order` would, without a second pass over the row). A channel's order id
    is taken once: sent again, it is refused with `sales.duplicate_external_id` (the idempotency key
    answers a plain retry with the first answer).

    The order, its lines, its timeline events, audit records and watch's outbox rows go in one statement
    on PostgreSQL (the order's id taken beforehand with its number), and confirmed, the reservation's lock
    of the balance rows after them (`inventory.balance_lock`); on SQLite, where a statement costs no round
    trip, the order's INSERT comes first and gives the id.

    `savepoint=False`: the caller's transaction is rolled back whole whenever this raises (the API's
    idempotent route does), so joining it needs no SAVEPOINT and RELEASE, two of the intake's round trips."""
    company_id = company_id_of(actor)
    # PostgreSQL: the number and id come with the order's references (a sequence's, outside any
    # transaction); SQLite's counter row is written inside the transaction below. In the caller's
    # transaction, which a refusal rolls back whole (`savepoint=False`), the worker's wake-up for the
    # events the order emits comes with them too.
    pg = connection.vendor == "postgresql"
    states = (OrderState.DRAFT, OrderState.CONFIRMED) if confirm else (OrderState.DRAFT,)
    wake = pg and not savepoint and connection.in_atomic_block and triggers.emits(SalesOrder._meta.label_lower, states)
    priced = price_input(data, company_id, number=pg, wake=wake)
    channel, day, money = priced.channel, priced.day, priced.money
    warehouse = _warehouse(data, channel, company_id)
    with transaction.atomic(savepoint=savepoint):
        customer = customer_of(data, priced, actor)
        number, order_id = priced.numbered or number_and_id(ORDER_SERIES, company_id=company_id, model=SalesOrder)
        order = unsaved(
            SalesOrder,
            id=order_id,
            company_id=company_id,
            number=number,
            channel=channel,
            external_id=data.external_id.strip()[:80],
            customer=customer,
            salesperson_id=data.salesperson_id,
            warehouse=warehouse,
            order_date=day,
            promised_ship_date=data.promised_ship_date,
            payment_terms=re.sub(r"\s", "", data.payment_terms),
            discount=data.discount,
            freight=data.freight,
            insurance=data.insurance,
            other_costs=data.other_costs,
            products_total=money.products_total,
            discount_total=money.discount_total,
            total=money.total,
            delivery_address=data.delivery_address or {},
            notes=data.notes.strip(),
            quote=quote,
            created_by_id=actor.user_id,
            state=OrderState.CONFIRMED if confirm else OrderState.DRAFT,
        )
        now = timezone.now()
        order.created_at = order.updated_at = now
        claims_id = bool(order.external_id)  # a channel's order id is taken once (a unique constraint)
        head: tuple = ((SalesOrder, [order]),)
        if order_id is None:  # SQLite: the order's INSERT gives its id, which the other rows need
            if not insert_together(*head, guarded=claims_id):
                raise _duplicate(channel, order.external_id)
            head = ()
        lines = line_rows(SalesOrderLine, data, priced, order=order)
        opened = opening_rows(
            order,
            actor,
            {"channel": channel.code, "external_id": order.external_id} if order.external_id else None,
            len(data.lines),
            then=OrderState.CONFIRMED if confirm else "",
        )
        needs = products = stocks = locked = None
        if confirm:
            needs = _needs(order, ((line.number, line.product_id, line.quantity) for line in lines))
            products = {p.pk: p for p in priced.products}  # read above with every field inventory needs
            # and the channel warehouse's stock location, read with them
            stocks = {priced.stock.warehouse_id: priced.stock} if priced.stock is not None else None
            # PostgreSQL: the reservation's lock of the balance rows goes with the order's rows
            locked = inventory.balance_lock(needs, actor=actor, products=products, stocks=stocks)
        guarded = claims_id and bool(head)
        if not insert_together(*head, (SalesOrderLine, lines), *opened, guarded=guarded, rider=locked):
            raise _duplicate(channel, order.external_id)
        attach_lines(order, lines)  # the answer shows them without reading them back
        if confirm:
            reserve_lines(order, needs, actor=actor, products=products, stocks=stocks, locked=locked)
    return order


def attach_lines(order: SalesOrder, lines: list[SalesOrderLine]) -> None:
    """Make `order.lines.all()` answer `lines` without a query (as `prefetch_related` would). The
    queryset's filter on the order is kept for later, as Django's related managers keep theirs, and built
    only if something asks more of it than its rows: building it (0.3 ms) was 4 % of an intake's CPU."""
    qs = QuerySet(SalesOrderLine)
    qs._defer_next_filter = True
    qs = qs.filter(order=order)
    qs._result_cache, qs._prefetch_done = lines, True
    order._prefetched_objects_cache = {"lines": qs}


def edit_draft(order_id: int, *, actor: Actor, version: int | None, lines: tuple[LineIn, ...]) -> SalesOrder:
    """Replace a draft's lines (typed in place on its page): priced again, totals recomputed, the
    order's discount and freight spread again. Same queries for 1 line as for 500."""
    company_id = company_id_of(actor)
    with transaction.atomic():
        order = lock_for_edit(scoped(SalesOrder, company_id), order_id, version)
        if order.state != OrderState.DRAFT:
            raise InvalidTransition(_("Only a draft order's lines can be changed."))
        data = OrderIn(
            channel_id=order.channel_id,
            customer_id=order.customer_id,
            salesperson_id=order.salesperson_id,
            order_date=order.order_date,
            discount=order.discount,
            freight=order.freight,
            insurance=order.insurance,
            other_costs=order.other_costs,
            lines=lines,
        )
        priced = price_input(data, company_id)
        before = str(order.total)
        SalesOrderLine.objects.filter(order=order).delete()
        rows = SalesOrderLine.objects.bulk_create(line_rows(SalesOrderLine, data, priced, order=order))
        order.products_total = priced.money.products_total
        order.discount_total = priced.money.discount_total
        order.total = priced.money.total
        order.version += 1
        order.save(update_fields=["products_total", "discount_total", "total", "version", "updated_at"])
        attach_lines(order, rows)
        audit.record(actor, order, "lines_changed", {"total": [before, str(order.total)], "lines": [None, len(rows)]})
    return order


def _duplicate(channel: SalesChannel, external_id: str) -> DuplicateExternalId:
    existing = SalesOrder.objects.filter(channel=channel, external_id=external_id).values("pk", "number").first()
    return DuplicateExternalId(
        _("Channel %(channel)s already sent order “%(id)s” (our order %(number)s).")
        % {"channel": channel.code, "id": external_id, "number": existing["number"] if existing else "?"},
        details=[{"field": "external_id", "order_id": existing["pk"] if existing else None}],
    )


def _move(order_id: int, state: str, *, actor: Actor, payload: dict | None = None) -> SalesOrder:
    return transition(
        SalesOrder,
        order_id,
        to=state,
        actor=actor,
        payload=payload,
        queryset=scoped(SalesOrder, actor).select_related("customer"),
    )


def brl(value: Decimal) -> str:
    return f"R$ {grouped(value, 2)}"


def check_credit(order: SalesOrder) -> None:
    """A customer under credit control (a limit set; zero means none) may not have installments overdue,
    and their open receivables plus their orders waiting to be invoiced (this one too) must fit in the
    limit."""
    limit = order.customer.credit_limit
    if not limit:
        return
    position = customer_position(order.company_id, order.customer_id)
    if position.has_overdue:
        raise CustomerOverdue(
            _("The customer has %(total)s overdue since %(since)s: settle it (or raise the matter with finance) first.")
            % {"total": brl(position.overdue_total), "since": position.oldest_overdue.strftime("%d/%m/%Y")},
            details=[
                {
                    "overdue": str(position.overdue_total),
                    "installments": position.overdue_count,
                    "oldest_due": position.oldest_overdue.isoformat(),
                }
            ],
        )
    # The same exposure the watch rule `sales.credit_limit` holds against the limit (`sales.credit`); this
    # order is confirmed by now, so it is among the pending ones.
    sums = exposures(order.company_id).filter(pk=order.customer_id).values_list("open_receivables", "pending_orders")
    open_total, pending = (amount(value) for value in sums.get())  # SQLite's sums come back unrounded
    exposure = open_total + pending
    if exposure > limit:
        raise CreditLimitExceeded(
            _("The order exceeds the customer's credit limit: %(exposure)s open against a limit of %(limit)s.")
            % {"exposure": brl(exposure), "limit": brl(limit)},
            details=[{"limit": str(limit), "open": str(open_total), "pending": str(pending)}],
        )


def confirm_order(order_id: int, *, actor: Actor) -> SalesOrder:
    """Reserve every line in the order's warehouse, or none (one error lists every product short)."""
    with transaction.atomic():
        order = _move(order_id, OrderState.CONFIRMED, actor=actor)
        reserve_lines(order, _needs(order, order.lines.values_list("number", "product_id", "quantity")), actor=actor)
        audit.record(actor, order, "confirmed", {"total": [None, str(order.total)]})
    return order


def reserve_lines(
    order: SalesOrder,
    needs: list[inventory.Need],
    *,
    actor: Actor,
    products: dict | None = None,
    stocks: dict | None = None,
    locked: inventory.BalanceLock | None = None,
) -> None:
    """The confirmation's effects, inside its transaction: the credit check, then one reservation of
    every line (all or nothing). `needs`: the lines' (`_needs`); `products`, when the caller has read them
    (`lookups.PRODUCT_FIELDS`), spares inventory reading them again, and with them `stocks` (warehouse id:
    its stock location) its read of the stock location, and `locked` (`inventory.balance_lock`, sent
    ahead) its lock of the balance rows."""
    check_credit(order)
    inventory.reserve(needs, actor=actor, owner=OWNER, products=products, stocks=stocks, locked=locked)


def _needs(order: SalesOrder, lines) -> list[inventory.Need]:
    """What reserving these (number, product id, quantity) lines of the order asks of inventory."""
    source = SalesOrder.SOURCE_TYPE
    return [
        inventory.Need(product_id, order.warehouse_id, qty, inventory.Source(source, order.pk, number))
        for number, product_id, qty in lines
    ]


def source_of(order: SalesOrder, line: SalesOrderLine | None = None) -> inventory.Source:
    return inventory.Source(SalesOrder.SOURCE_TYPE, order.pk, line.number if line is not None else 0)


def cancel_order(order_id: int, *, actor: Actor, reason: str = "") -> SalesOrder:
    """A draft or confirmed order is cancelled; a confirmed one gives its reserved stock back. An
    invoiced one (not shipped) is cancelled through its notes' cancellation at SEFAZ (`reversals`)."""
    current = scoped(SalesOrder, actor).filter(pk=order_id).values_list("state", flat=True).first()
    if current == OrderState.INVOICED:
        return cancel_invoiced(order_id, actor=actor, reason=reason)
    with transaction.atomic():
        order = _move(order_id, OrderState.CANCELLED, actor=actor, payload={"reason": reason} if reason else None)
        inventory.release(source_of(order), actor=actor, whole_document=True, owner=OWNER)
        order.cancel_reason = reason.strip()[:200]
        order.save(update_fields=["cancel_reason", "updated_at"])
        audit.record(actor, order, "cancelled", {"reason": [None, order.cancel_reason]} if reason else None)
    return order


def get_order(order_id: int, *, actor: Actor) -> SalesOrder:
    order = scoped(SalesOrder, actor).filter(pk=order_id).first()
    if order is None:
        raise NotFound()
    return order
