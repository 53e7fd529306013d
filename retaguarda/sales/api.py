"""Sales API at `/api/v1/sales`: channels and orders, with their commands.

`POST /orders` is the intake for channels: with an `Idempotency-Key` the same request answers the
same body however often it is sent (in parallel too); the channel's `external_id` is taken once
(another key answers 409 `sales.duplicate_external_id`); unknown SKUs are one 422
`sales.unknown_products` listing them all; `?confirm=true` creates and confirms in one call.
"""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Status

from retaguarda.core.actor import actor_of
from retaguarda.core.api import ErrorOut, Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.sales import pdf, selectors, services
from retaguarda.sales.answers import order_answer
from retaguarda.sales.models import Quote, SalesChannel, SalesOrder, Salesperson, SalesReturn
from retaguarda.sales.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    CommissionLineOut,
    CommissionRuleIn,
    GoalIn,
    GoalOut,
    OrderCancelIn,
    OrderCreateIn,
    OrderDetailOut,
    OrderOut,
    OrderSummaryOut,
    QuoteCreateIn,
    QuoteOut,
    ReturnIn,
    ReturnOut,
    SalespersonIn,
    SalespersonOut,
    ShipIn,
)

router = Router(tags=["sales"])
VIEW = require("sales.view")
CHANGE = require("sales.change")
SHIP = require("sales.ship")  # Logística ships and delivers without changing orders otherwise
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _own(request, model, pk: int):
    return get_object_or_404(model, pk=pk, company=request.company)


@router.get("/channels", response=list[ChannelOut], auth=VIEW)
def list_channels(request):
    return list(SalesChannel.objects.filter(company=request.company))


@router.post("/channels", response={201: ChannelOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_channel(request, body: ChannelIn):
    return Status(201, services.create_channel(actor=actor_of(request), **body.dict()))


@router.patch("/channels/{channel_id}", response={200: ChannelOut, **ERRORS}, auth=CHANGE)
def update_channel(request, channel_id: int, body: ChannelPatch):
    _own(request, SalesChannel, channel_id)
    changes = body.dict(exclude_unset=True)
    version = changes.pop("version")
    return services.update_channel(channel_id, actor=actor_of(request), version=version, **changes)


@router.get("/orders", response=Page[OrderSummaryOut], auth=VIEW)
def list_orders(
    request,
    state: str = "",
    channel_id: int | None = None,
    customer_id: int | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    qs = selectors.orders(request.company.pk, state=state, channel_id=channel_id, customer_id=customer_id)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.get("/orders/{order_id}", response={200: OrderDetailOut, 404: ErrorOut}, auth=VIEW)
def get_order(request, order_id: int):
    return get_object_or_404(SalesOrder.objects.prefetch_related("lines"), pk=order_id, company=request.company)


@router.post("/orders", response={201: OrderOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_order(request, body: OrderCreateIn, confirm: bool = False):
    """Take an order (a draft, or confirmed with `?confirm=true`: stock reserved for every line or none)."""
    # Inside `idempotent`'s transaction, which any refusal rolls back whole (or alone, as its own
    # transaction): no savepoint needed.
    order = services.create_order(body.to_input(), actor=actor_of(request), confirm=confirm, savepoint=False)
    return order_answer(order, 201)  # OrderOut, written by hand (the answer of every channel order)


@router.get("/quotes", response=Page[QuoteOut], auth=VIEW)
def list_quotes(request, state: str = "", cursor: str | None = None, limit: PageLimit = 50):
    qs = Quote.objects.filter(company=request.company).prefetch_related("lines").select_related("order")
    if state:
        qs = qs.filter(state=state)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/quotes", response={201: QuoteOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_quote(request, body: QuoteCreateIn):
    data = body.dict()
    quote = services.create_quote(
        OrderCreateIn(**{k: v for k, v in data.items() if k != "valid_until"}).to_input(),
        actor=actor_of(request),
        valid_until=body.valid_until,
    )
    return Status(201, quote)


@router.get("/quotes/{quote_id}", response={200: QuoteOut, 404: ErrorOut}, auth=VIEW)
def get_quote(request, quote_id: int):
    return get_object_or_404(Quote.objects.prefetch_related("lines"), pk=quote_id, company=request.company)


@router.get("/quotes/{quote_id}/pdf", auth=VIEW, response={200: None, 404: ErrorOut})
def quote_pdf(request, quote_id: int):
    """The printable quote (PDF)."""
    quote = get_object_or_404(
        Quote.objects.select_related("company", "customer", "salesperson"), pk=quote_id, company=request.company
    )
    response = HttpResponse(pdf.quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="orcamento-{quote.number}.pdf"'
    return response


@router.post("/quotes/{quote_id}/convert", response={201: OrderOut, **ERRORS}, auth=CHANGE)
def convert_quote(request, quote_id: int, confirm: bool = False):
    """The quote becomes an order at the quoted prices (`?confirm=true`: confirmed at once)."""
    _own(request, Quote, quote_id)
    order = services.convert_quote(quote_id, actor=actor_of(request), confirm=confirm)
    return Status(201, SalesOrder.objects.prefetch_related("lines").get(pk=order.pk))


@router.post("/quotes/{quote_id}/cancel", response={200: QuoteOut, **ERRORS}, auth=CHANGE)
def cancel_quote(request, quote_id: int):
    _own(request, Quote, quote_id)
    services.cancel_quote(quote_id, actor=actor_of(request))
    return Quote.objects.prefetch_related("lines").get(pk=quote_id)


def _command(request, order_id: int, service, **kwargs):
    _own(request, SalesOrder, order_id)
    order = service(order_id, actor=actor_of(request), **kwargs)
    return SalesOrder.objects.prefetch_related("lines").get(pk=order.pk)


@router.post("/orders/{order_id}/confirm", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def confirm_order(request, order_id: int):
    """Reserve every line or none: a shortfall answers 409 `inventory.insufficient_stock` listing each product."""
    return _command(request, order_id, services.confirm_order)


@router.post("/orders/{order_id}/invoice", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def invoice_order(request, order_id: int):
    """Build and queue the order's NF-e (NFC-e for a shop's consumer) for SEFAZ; the order stays
    `invoicing` until every note is authorized, then stock is issued and the receivable created."""
    return _command(request, order_id, services.invoice_order)


@router.post("/orders/{order_id}/invoice/retry", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def retry_invoicing(request, order_id: int):
    """Send again the notes SEFAZ rejected (after fixing the cause), under the same numbers; 409
    `sales.not_invoiceable` when none was rejected."""
    return _command(request, order_id, services.retry_invoicing)


@router.post("/orders/{order_id}/ship", response={200: OrderOut, **ERRORS}, auth=SHIP)
def ship_order(request, order_id: int, body: ShipIn):
    return _command(request, order_id, services.ship_order, carrier=body.carrier, tracking_code=body.tracking_code)


@router.post("/orders/{order_id}/deliver", response={200: OrderOut, **ERRORS}, auth=SHIP)
def deliver_order(request, order_id: int):
    return _command(request, order_id, services.deliver_order)


@router.post("/orders/{order_id}/returns", response={201: ReturnOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_return(request, order_id: int, body: ReturnIn):
    """Return lines of an invoiced order: the return NF-e is queued for SEFAZ; once authorized the goods
    come back (stock or scrap) and the customer is credited."""
    _own(request, SalesOrder, order_id)
    ret = services.create_return(
        order_id,
        [services.ReturnLineIn(item.line, item.quantity) for item in body.lines],
        actor=actor_of(request),
        reason=body.reason,
        destination=body.destination,
    )
    return Status(201, ret)


@router.get("/returns", response=Page[ReturnOut], auth=VIEW)
def list_returns(request, order_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50):
    qs = SalesReturn.objects.filter(company=request.company)
    if order_id:
        qs = qs.filter(order_id=order_id)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.get("/returns/{return_id}", response={200: ReturnOut, 404: ErrorOut}, auth=VIEW)
def get_return(request, return_id: int):
    return get_object_or_404(SalesReturn, pk=return_id, company=request.company)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def cancel_order(request, order_id: int, body: OrderCancelIn):
    return _command(request, order_id, services.cancel_order, reason=body.reason)


@router.get("/salespeople", response=list[SalespersonOut], auth=VIEW)
def list_salespeople(request):
    return list(Salesperson.objects.filter(company=request.company))


@router.post("/salespeople", response={201: SalespersonOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_salesperson(request, body: SalespersonIn):
    return Status(201, services.create_salesperson(actor=actor_of(request), name=body.name, email=body.email))


def _goal_out(p) -> dict:
    g = p.goal
    return {
        "id": g.pk,
        "month": g.month,
        "metric": g.metric,
        "target": g.target,
        "salesperson_id": g.salesperson_id,
        "channel_id": g.channel_id,
        "achieved": p.achieved,
        "percent": p.percent,
        "daily_pace": p.daily_pace,
        "days_left": p.days_left,
    }


@router.get("/goals", response=list[GoalOut], auth=VIEW)
def list_goals(request, month: datetime.date | None = None):
    """The month's goals (default: this month) with what was achieved and the daily pace still needed."""
    return [_goal_out(p) for p in services.progress(request.company.pk, month or timezone.localdate())]


@router.post("/goals", response={201: GoalOut, **ERRORS}, auth=CHANGE)
def save_goal(request, body: GoalIn):
    goal = services.save_goal(actor=actor_of(request), **body.dict())
    found = next(p for p in services.progress(request.company.pk, goal.month) if p.goal.pk == goal.pk)
    return Status(201, _goal_out(found))


@router.get("/commissions", response=list[CommissionLineOut], auth=VIEW)
def commission_statement(request, start: datetime.date, end: datetime.date, salesperson_id: int | None = None):
    """Every commissioned line in the period, on the company's basis (invoiced orders or paid receivables)."""
    return services.statement(request.company.pk, start, end, salesperson_id=salesperson_id)


@router.post("/commissions/rules", response={201: None, **ERRORS}, auth=CHANGE)
def save_commission_rule(request, body: CommissionRuleIn):
    _own(request, Salesperson, body.salesperson_id)
    services.save_rule(actor=actor_of(request), **body.dict())
    return Status(201, None)
