"""Quotes (orçamentos): priced like an order, valid until a date, turned into an order in one action."""

import re
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.numbering import document_number
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.sales.models import Quote, QuoteLine, SalesOrder
from retaguarda.sales.services.inputs import LineIn, OrderIn
from retaguarda.sales.services.orders import (
    create_order,
    customer_of,
    line_rows,
    price_input,
    record_opened,
)
from retaguarda.sales.states import QuoteState

DEFAULT_VALIDITY = timedelta(days=10)


def create_quote(data: OrderIn, *, actor: Actor, valid_until: date | None = None) -> Quote:
    company_id = company_id_of(actor)
    priced = price_input(data, company_id)
    valid_until = valid_until or priced.day + DEFAULT_VALIDITY
    if valid_until < priced.day:
        raise ValidationFailed(
            details=[{"field": "valid_until", "message": _("The quote must be valid on its own date.")}]
        )
    with transaction.atomic():
        quote = Quote.objects.create(
            company_id=company_id,
            number=document_number("sales.quote", company_id=company_id),
            channel=priced.channel,
            customer=customer_of(data, priced, actor),
            salesperson_id=data.salesperson_id,
            quote_date=priced.day,
            valid_until=valid_until,
            payment_terms=re.sub(r"\s", "", data.payment_terms),
            discount=data.discount,
            freight=data.freight,
            insurance=data.insurance,
            other_costs=data.other_costs,
            products_total=priced.money.products_total,
            discount_total=priced.money.discount_total,
            total=priced.money.total,
            notes=data.notes.strip(),
            created_by_id=actor.user_id,
        )
        QuoteLine.objects.bulk_create(line_rows(QuoteLine, data, priced, quote=quote))
        record_opened(quote, actor, lines=len(data.lines))
    return quote


def as_order_input(quote: Quote, **overrides) -> OrderIn:
    """The order a quote becomes: the same lines at the quoted prices and discounts."""
    return OrderIn(
        channel_id=quote.channel_id,
        customer_id=quote.customer_id,
        salesperson_id=quote.salesperson_id,
        payment_terms=quote.payment_terms,
        discount=quote.discount,
        freight=quote.freight,
        insurance=quote.insurance,
        other_costs=quote.other_costs,
        notes=quote.notes,
        lines=tuple(
            LineIn(
                quantity=line.quantity,
                product_id=line.product_id,
                unit_price=line.unit_price,
                discount=line.line_discount,
            )
            for line in quote.lines.order_by("number")
        ),
        **overrides,
    )


def convert_quote(quote_id: int, *, actor: Actor, confirm: bool = False) -> SalesOrder:
    """The quote becomes an order (at the quoted prices, even if the list changed since); with
    `confirm`, the order is confirmed in the same transaction (stock reserved, or nothing at all)."""
    with transaction.atomic():
        quote = transition(Quote, quote_id, to=QuoteState.CONVERTED, actor=actor, queryset=scoped(Quote, actor))
        order = create_order(as_order_input(quote), actor=actor, quote=quote, confirm=confirm)
        audit.record(actor, quote, "converted", {"order": [None, order.number]})
    return order


def cancel_quote(quote_id: int, *, actor: Actor) -> Quote:
    with transaction.atomic():
        quote = transition(Quote, quote_id, to=QuoteState.CANCELLED, actor=actor, queryset=scoped(Quote, actor))
        audit.record(actor, quote, "cancelled")
    return quote


def is_expired(quote: Quote, today: date | None = None) -> bool:
    return quote.state == QuoteState.OPEN and quote.valid_until < (today or timezone.localdate())
