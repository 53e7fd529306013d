"""Titles (receivables and payables) with installments: created by hand, by other apps' services
(sales, purchasing) or from recurring bills; cancelled while nothing is settled; credited by a return.

Creating a title posts its accrual journal entry: a receivable debits receivables and credits its
category; a payable debits its category (or the balance account the category posts to) and credits
payables."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit, numbering
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO, spread
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.errors import NotCancellable
from retaguarda.finance.models import (
    EntryKind,
    FinancialEntry,
    Installment,
    JournalAccount,
    Title,
    TitleKind,
)
from retaguarda.finance.services.chart import category_for_role, category_of, cost_center_of, ensure_chart
from retaguarda.finance.services.journal import JLine, category_line, journal_for, post_journal, reverse_journal
from retaguarda.finance.services.ledger import append_entries
from retaguarda.finance.services.title_state import lock_title, set_open
from retaguarda.finance.states import TitleState

TITLE_SOURCE = "finance.title"
CANCEL_SOURCE = "finance.title_cancel"


@dataclass(frozen=True)
class InstallmentIn:
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class SourceRef:
    """The document a title or journal entry comes from: `("sales.order", "12")`, `("fiscal.nfe", key)`.
    Unique per company: a retried call finds what the first one made."""

    type: str
    ref: str

    def __post_init__(self):
        object.__setattr__(self, "ref", str(self.ref))


def split_installments(total: Decimal, count: int, first_due: date, *, every_days: int = 30) -> list[InstallmentIn]:
    """`count` installments adding up exactly to `total` (cents to the first ones), every `every_days`."""
    if count < 1:
        raise ValidationFailed(details=[{"field": "installments", "message": _("At least one installment.")}])
    parts = spread(money(total), [Decimal(1)] * count)
    return [InstallmentIn(first_due + timedelta(days=every_days * i), part) for i, part in enumerate(parts)]


def _check(installments: Sequence[InstallmentIn], issue_date: date) -> list[dict]:
    details = []
    if not installments:
        details.append({"field": "installments", "message": _("Add at least one installment.")})
    if len(installments) > 360:
        details.append({"field": "installments", "message": _("At most 360 installments.")})
    for i, inst in enumerate(installments):
        where = f"installments.{i}"
        if not isinstance(inst.amount, Decimal) or not inst.amount.is_finite() or inst.amount <= 0:
            details.append({"field": f"{where}.amount", "message": _("Enter an amount greater than zero.")})
        elif money(inst.amount) != inst.amount:
            details.append({"field": f"{where}.amount", "message": _("Amounts have at most 2 decimal places.")})
        elif inst.amount >= Decimal("1e14"):
            details.append({"field": f"{where}.amount", "message": _("Amount too large.")})
        if not isinstance(inst.due_date, date):
            details.append({"field": f"{where}.due_date", "message": _("Invalid date.")})
        elif inst.due_date < issue_date:
            details.append(
                {"field": f"{where}.due_date", "message": _("The due date cannot be before the issue date.")}
            )
    return details


def create_title(
    *,
    actor: Actor,
    kind: str,
    installments: Sequence[InstallmentIn],
    issue_date: date | None = None,
    category_id: int | None = None,
    category_role: str | None = None,
    party_id: int | None = None,
    cost_center_id: int | None = None,
    competence_date: date | None = None,
    description: str = "",
    document_number: str = "",
    nfe_key: str = "",
    source: SourceRef | None = None,
    notes: str = "",
    recurring_bill_id: int | None = None,
    recurrence_date: date | None = None,
) -> Title:
    """Create a receivable or payable with its installments (amount = Σ installments).

    With a `source`, a title already made from it is returned unchanged: callers may retry."""
    company_id = company_id_of(actor)
    ensure_chart(company_id)
    if source is not None:
        existing = Title.objects.filter(company_id=company_id, source_type=source.type, source_ref=source.ref).first()
        if existing is not None:
            return existing
    issue_date = issue_date or timezone.localdate()
    details = []
    if kind not in TitleKind.values:
        details.append({"field": "kind", "message": _("Choose receivable or payable.")})
    details += _check(installments, issue_date)
    if len(description) > 200 or len(document_number) > 60 or len(notes) > 5000:
        details.append({"field": "description", "message": _("Text too long.")})
    if nfe_key and len(nfe_key) != 44:
        details.append({"field": "nfe_key", "message": _("The NF-e access key has 44 characters.")})
    if details:
        raise ValidationFailed(details=details)
    if category_id is None and category_role:
        category = category_for_role(company_id, category_role)
    else:
        category = category_of(company_id, category_id)
    center = cost_center_of(company_id, cost_center_id)
    party = _party(company_id, party_id)
    total = sum((i.amount for i in installments), ZERO)
    try:
        with transaction.atomic():
            title = Title.objects.create(
                company_id=company_id,
                kind=kind,
                number=numbering.document_number(f"finance.{kind}", company_id=company_id),
                party=party,
                category=category,
                cost_center=center,
                description=description.strip(),
                document_number=document_number.strip(),
                nfe_key=nfe_key,
                source_type=source.type if source else "",
                source_ref=source.ref if source else "",
                issue_date=issue_date,
                competence_date=competence_date or issue_date,
                amount=total,
                amount_open=total,
                recurring_bill_id=recurring_bill_id,
                recurrence_date=recurrence_date,
                notes=notes,
                created_by_id=actor.user_id,
            )
            Installment.objects.bulk_create(
                [
                    Installment(
                        company_id=company_id,
                        title=title,
                        kind=kind,
                        party=party,
                        number=n,
                        due_date=inst.due_date,
                        amount=inst.amount,
                        amount_open=inst.amount,
                    )
                    for n, inst in enumerate(sorted(installments, key=lambda i: i.due_date), start=1)
                ]
            )
            sign = title.sign
            party_pk = party.pk if party else None
            post_journal(
                company_id=company_id,
                on=title.competence_date,
                description=str(title) + (f" - {title.description}" if title.description else ""),
                source_type=TITLE_SOURCE,
                source_ref=str(title.pk),
                lines=[
                    JLine(_open_account(kind), sign * total, party_id=party_pk),
                    category_line(
                        category, -sign * total, cost_center_id=center.pk if center else None, party_id=party_pk
                    ),
                ],
                actor=actor,
            )
            DocumentEvent.objects.create(
                document_type=Title._meta.label_lower,
                document_id=title.pk,
                to_state=TitleState.OPEN,
                user=actor.user,
                origin=actor.origin,
                payload={"source": f"{title.source_type} {title.source_ref}".strip()},
            )
            audit.record_created(actor, title)
    except IntegrityError:
        if source is None:
            raise
        # A concurrent call with the same source won the unique index: answer with its title.
        existing = Title.objects.filter(company_id=company_id, source_type=source.type, source_ref=source.ref).first()
        if existing is None:
            raise
        return existing
    return title


def _open_account(kind: str) -> str:
    return JournalAccount.RECEIVABLES if kind == TitleKind.RECEIVABLE else JournalAccount.PAYABLES


def _party(company_id: int, party_id: int | None):
    if not party_id:
        return None
    from retaguarda.parties.models import Party

    party = Party.objects.filter(company_id=company_id, pk=party_id).first()
    if party is None:
        raise ValidationFailed(details=[missing_row("party_id", _("Customer or supplier not found."))])
    return party


def title_for_source(company_id: int, source: SourceRef) -> Title | None:
    return Title.objects.filter(company_id=company_id, source_type=source.type, source_ref=source.ref).first()


def cancel_title(title_id: int, *, actor: Actor, reason: str = "") -> Title:
    """Cancel a title with nothing settled: its open installments are written off by `cancellation`
    entries and its journal entry reversed on the same competence date, so the period it belonged to
    no longer shows it."""
    company_id = company_id_of(actor)
    with transaction.atomic():
        title = lock_title(company_id, title_id)
        if title.state == TitleState.CANCELLED:
            return title
        if title.state != TitleState.OPEN:
            raise NotCancellable()
        installments = list(title.installments.select_for_update().order_by("id"))
        today = timezone.localdate()
        append_entries(
            [
                FinancialEntry(
                    company_id=company_id,
                    kind=EntryKind.CANCELLATION,
                    date=today,
                    installment=inst,
                    title=title,
                    party_id=title.party_id,
                    category_id=title.category_id,
                    cost_center_id=title.cost_center_id,
                    amount=inst.amount_open,
                    principal_delta=inst.amount_open,
                    memo=reason[:200],
                )
                for inst in installments
                if inst.amount_open
            ],
            actor=actor,
        )
        Installment.objects.filter(pk__in=[i.pk for i in installments]).update(amount_open=0)
        original = journal_for(company_id, TITLE_SOURCE, title.pk)
        reverse_journal(
            original,
            on=title.competence_date,
            source_type=CANCEL_SOURCE,
            source_ref=str(title.pk),
            description=_("Cancellation of %(title)s") % {"title": title},
            actor=actor,
        )
        set_open(title, ZERO, actor=actor, state=TitleState.CANCELLED, payload={"reason": reason[:200]})
        audit.record(actor, title, "cancelled", {"reason": reason[:200]} if reason else None)
    return title
