"""Credits on a title (a return, an abatement): they take the amount off the open installments, last
due first; what exceeds the open amount becomes a title in the other direction (money owed back to
the customer, or by the supplier). The journal books a receivable's credit as a sales return."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.money import ZERO
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.errors import NotCancellable
from retaguarda.finance.models import EntryKind, FinancialEntry, JournalAccount, Title, TitleKind
from retaguarda.finance.services.chart import category_for_role
from retaguarda.finance.services.journal import JLine, category_line, journal_for, post_journal
from retaguarda.finance.services.ledger import append_entries
from retaguarda.finance.services.title_state import lock_title, set_open
from retaguarda.finance.services.titles import InstallmentIn, SourceRef, create_title
from retaguarda.finance.states import TitleState


def credit_title(
    title_id: int, *, actor: Actor, amount: Decimal, source: SourceRef, on: date | None = None, reason: str = ""
) -> Title | None:
    """Credit `amount` on title `title_id` once per `source` (a return: `("sales.return", "7")`).

    Returns the title created for what exceeded the open amount, or None."""
    company_id = company_id_of(actor)
    on = on or timezone.localdate()
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or money(amount) != amount:
        raise ValidationFailed(
            details=[{"field": "amount", "message": _("Enter an amount greater than zero (2 decimal places).")}]
        )
    done = Title.objects.filter(company_id=company_id, source_type=source.type, source_ref=source.ref).first()
    if done is not None or journal_for(company_id, source.type, source.ref) is not None:
        return done  # already credited: a retry changes nothing
    with transaction.atomic():
        title = lock_title(company_id, title_id)
        if title.state == TitleState.CANCELLED:
            raise NotCancellable(_("The title is cancelled."))
        receivable = title.kind == TitleKind.RECEIVABLE
        # A receivable's credit is a sales return (deduction); a payable's undoes the purchase's category.
        category = category_for_role(company_id, "sales_returns") if receivable else title.category
        applied = ZERO
        rows = []
        remaining = amount
        for inst in title.installments.select_for_update().filter(amount_open__gt=0).order_by("-due_date", "-id"):
            if not remaining:
                break
            take = min(remaining, inst.amount_open)
            rows.append(
                FinancialEntry(
                    company_id=company_id,
                    kind=EntryKind.CREDIT,
                    date=on,
                    installment=inst,
                    title=title,
                    party_id=title.party_id,
                    category=category,
                    cost_center_id=title.cost_center_id,
                    amount=take,
                    principal_delta=take,
                    memo=reason[:200],
                )
            )
            inst.amount_open -= take
            inst.settled_on = on if inst.amount_open == 0 else None
            inst.save(update_fields=["amount_open", "settled_on"])
            remaining -= take
            applied += take
        append_entries(rows, actor=actor)
        refund = None
        if remaining:
            # Owed back: a payable to the customer (or a receivable from the supplier) for the excess;
            # creating it books the excess against the same category.
            refund = create_title(
                actor=actor,
                kind=TitleKind.PAYABLE if receivable else TitleKind.RECEIVABLE,
                installments=[InstallmentIn(on, remaining)],
                issue_date=on,
                category_id=category.pk,
                party_id=title.party_id,
                cost_center_id=title.cost_center_id,
                description=_("Credit from %(title)s") % {"title": title},
                source=source,
            )
        if applied:
            sign = title.sign
            post_journal(
                company_id=company_id,
                on=on,
                description=_("Credit on %(title)s") % {"title": title},
                source_type=source.type,
                source_ref=source.ref,
                lines=[
                    category_line(category, sign * applied, cost_center_id=title.cost_center_id),
                    JLine(
                        JournalAccount.RECEIVABLES if receivable else JournalAccount.PAYABLES,
                        -sign * applied,
                        party_id=title.party_id,
                    ),
                ],
                actor=actor,
            )
        if applied:
            set_open(title, title.amount_open - applied, actor=actor, payload={"credit": f"{source.type} {source.ref}"})
        audit.record(actor, title, "credited", {"amount": str(amount), "source": f"{source.type} {source.ref}"})
    return refund
