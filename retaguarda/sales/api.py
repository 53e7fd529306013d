"""Sales API at `/api/v1/sales`: channels and orders, with their commands.

`POST /orders` is the intake for channels: with an `Idempotency-Key` the same request answers the
same body however often it is sent (in parallel too); the channel's `external_id` is taken once
(another key answers 409 `sales.duplicate_external_id`); unknown SKUs are one 422
`sales.unknown_products` listing them all; `?confirm=true` creates and confirms in one call.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from retaguarda.core.actor import actor_of
from retaguarda.core.api import ErrorOut, Page, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.sales import selectors, services
from retaguarda.sales.models import SalesChannel, SalesOrder
from retaguarda.sales.schemas import (
    CancelIn,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    OrderCreateIn,
    OrderDetailOut,
    OrderOut,
    OrderSummaryOut,
    ShipIn,
)

router = Router(tags=["sales"])
VIEW = require("sales.view")
CHANGE = require("sales.change")
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
    limit: int = 50,
):
    qs = selectors.orders(request.company.pk, state=state, channel_id=channel_id, customer_id=customer_id)
    return keyset_page_body(qs, cursor=cursor, limit=min(max(limit, 1), 200), ordering=("-id",))


@router.get("/orders/{order_id}", response={200: OrderDetailOut, 404: ErrorOut}, auth=VIEW)
def get_order(request, order_id: int):
    return get_object_or_404(SalesOrder.objects.prefetch_related("lines"), pk=order_id, company=request.company)


@router.post("/orders", response={201: OrderOut, **ERRORS}, auth=CHANGE)
@idempotent
def create_order(request, body: OrderCreateIn, confirm: bool = False):
    """Take an order (a draft, or confirmed with `?confirm=true`: stock reserved for every line or none)."""
    actor = actor_of(request)
    with transaction.atomic(savepoint=False):
        order = services.create_order(body.to_input(), actor=actor)
        if confirm:
            lines = list(order.lines.all())
            order = services.confirm_order(order.pk, actor=actor, lines=lines)
            services.attach_lines(order, lines)
    return Status(201, order)


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


@router.post("/orders/{order_id}/ship", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def ship_order(request, order_id: int, body: ShipIn):
    return _command(request, order_id, services.ship_order, carrier=body.carrier, tracking_code=body.tracking_code)


@router.post("/orders/{order_id}/deliver", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def deliver_order(request, order_id: int):
    return _command(request, order_id, services.deliver_order)


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, auth=CHANGE)
def cancel_order(request, order_id: int, body: CancelIn):
    return _command(request, order_id, services.cancel_order, reason=body.reason)
