"""Reads shared by the sales API, pages and reports."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from retaguarda.core.text import fold
from retaguarda.fiscal.models import FiscalDocument
from retaguarda.fiscal.services.transmission import hint_for
from retaguarda.fiscal.states import DocumentState
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import WAITING_STATES, OrderState


def parse_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def orders(
    company_id: int, *, state: str = "", channel_id: int | None = None, customer_id: int | None = None
) -> QuerySet[SalesOrder]:
    qs = SalesOrder.objects.filter(company_id=company_id)
    if state:
        qs = qs.filter(state=state)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-id")


def order_list(
    company_id: int,
    *,
    state: str = "",
    channel_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    customer: str = "",
    late: bool = False,
) -> QuerySet[SalesOrder]:
    """The orders page: one query per page whatever the filters (channel and customer joined)."""
    qs = orders(company_id, state=state, channel_id=channel_id).select_related("channel", "customer")
    if date_from:
        qs = qs.filter(order_date__gte=date_from)
    if date_to:
        qs = qs.filter(order_date__lte=date_to)
    if customer:
        digits = "".join(ch for ch in customer if ch.isalnum()).upper()
        match = Q(customer__search_text__contains=fold(customer))
        if digits:
            match |= Q(customer__document__startswith=digits)
        qs = qs.filter(match)
    if late:
        qs = qs.filter(state__in=WAITING_STATES, promised_ship_date__lt=timezone.localdate())
    return qs


def notes_of(order: SalesOrder) -> QuerySet[FiscalDocument]:
    return FiscalDocument.objects.filter(
        company_id=order.company_id, source_type=SalesOrder.SOURCE_TYPE, source_id=order.pk
    ).order_by("id")


def rejections(order: SalesOrder) -> list[FiscalDocument]:
    """The notes of an order waiting for SEFAZ that were rejected (sent again once fixed) or denied
    (final), each with SEFAZ's reason (`status_code`, `status_message`) and a `hint` of what to do."""
    if order.state != OrderState.INVOICING:
        return []
    notes = list(notes_of(order).filter(state__in=(DocumentState.REJECTED, DocumentState.DENIED)))
    for note in notes:
        note.hint = hint_for(note.status_code)
        note.can_resend = note.state == DocumentState.REJECTED
    return notes
