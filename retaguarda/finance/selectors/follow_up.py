"""The collections follow-up list: customers with overdue receivables, what they owe, since when, the
last contact and the next promise of payment. A fixed number of queries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Subquery
from django.utils import timezone

from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import amount
from retaguarda.finance.models import CollectionNote, Installment, NoteKind, TitleKind


@dataclass
class FollowUp:
    party_id: int | None
    party: str
    email: str
    phone: str
    overdue_total: Decimal
    overdue_count: int
    oldest_due: date
    last_contact_at: object
    last_contact: str
    next_promise: date | None


def follow_up(company_id: int, *, today: date | None = None) -> list[FollowUp]:
    today = today or timezone.localdate()
    notes = CollectionNote.objects.filter(company_id=company_id, party_id=OuterRef("party_id"))
    promises = notes.filter(kind=NoteKind.PROMISE, promised_date__gte=today).order_by("promised_date")
    rows = (
        Installment.objects.filter(
            company_id=company_id, kind=TitleKind.RECEIVABLE, amount_open__gt=0, due_date__lt=today
        )
        .values("party_id", "party__legal_name", "party__trade_name", "party__email", "party__phone")
        .annotate(
            total=DecimalSum("amount_open"),
            count=Count("id"),
            oldest=Min("due_date"),
            last_at=Subquery(notes.order_by("-id").values("created_at")[:1]),
            last_text=Subquery(notes.order_by("-id").values("text")[:1]),
            promise=Subquery(promises.values("promised_date")[:1]),
        )
        .order_by()
    )
    result = [
        FollowUp(
            r["party_id"],
            r["party__trade_name"] or r["party__legal_name"] or "—",
            r["party__email"] or "",
            r["party__phone"] or "",
            amount(r["total"]),
            r["count"],
            r["oldest"],
            r["last_at"],
            r["last_text"] or "",
            r["promise"],
        )
        for r in rows
    ]
    result.sort(key=lambda f: (f.oldest_due, -f.overdue_total))
    return result
