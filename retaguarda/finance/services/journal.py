"""The one writer of the double-entry journal.

Lines are written first, then the header: the database refuses a header whose lines do not balance
(`journal_guard`). Result lines carry their category (the result accounts are the categories); cash
lines their cash account."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retaguarda.core.actor import Actor
from retaguarda.core.money import ZERO
from retaguarda.finance.models import Category, JournalAccount, JournalEntry, JournalLine


@dataclass(frozen=True)
class JLine:
    """One side of an entry: a debit when `amount` is positive, a credit when negative."""

    account: str
    amount: Decimal
    category_id: int | None = None
    cash_account_id: int | None = None
    cost_center_id: int | None = None
    party_id: int | None = None

    def key(self) -> tuple:
        return (self.account, self.category_id, self.cash_account_id, self.cost_center_id, self.party_id)


def category_line(category: Category, amount: Decimal, *, cost_center_id=None, party_id=None) -> JLine:
    """The line of a category: its own result account, or the balance account it posts to."""
    if category.posts_to:
        return JLine(category.posts_to, amount, cost_center_id=cost_center_id, party_id=party_id)
    return JLine(
        JournalAccount.RESULT, amount, category_id=category.pk, cost_center_id=cost_center_id, party_id=party_id
    )


def post_journal(
    *,
    company_id: int,
    on: date,
    description: str,
    source_type: str,
    source_ref: str,
    lines: Sequence[JLine],
    actor: Actor,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    merged: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    samples: dict[tuple, JLine] = {}
    for line in lines:
        merged[line.key()] += line.amount
        samples[line.key()] = line
    kept = [(samples[k], amount) for k, amount in merged.items() if amount != 0]
    if sum((amount for _l, amount in kept), ZERO) != 0:
        raise AssertionError(f"unbalanced journal entry for {source_type} {source_ref}: {lines}")
    entry_id = uuid.uuid4()
    JournalLine.objects.bulk_create(
        [
            JournalLine(
                entry_id=entry_id,
                company_id=company_id,
                date=on,
                account=line.account,
                category_id=line.category_id,
                cash_account_id=line.cash_account_id,
                cost_center_id=line.cost_center_id,
                party_id=line.party_id,
                amount=amount,
            )
            for line, amount in kept
        ]
    )
    return JournalEntry.objects.create(
        id=entry_id,
        company_id=company_id,
        date=on,
        description=description[:200],
        source_type=source_type,
        source_ref=str(source_ref)[:64],
        reverses=reverses,
        user_id=actor.user_id,
    )


def reverse_journal(
    original: JournalEntry, *, on: date, source_type: str, source_ref: str, description: str, actor: Actor
) -> JournalEntry:
    """The mirror of `original`: the same lines with the sides swapped."""
    lines = [
        JLine(line.account, -line.amount, line.category_id, line.cash_account_id, line.cost_center_id, line.party_id)
        for line in original.lines.all()
    ]
    return post_journal(
        company_id=original.company_id,
        on=on,
        description=description,
        source_type=source_type,
        source_ref=source_ref,
        lines=lines,
        actor=actor,
        reverses=original,
    )


def journal_for(company_id: int, source_type: str, source_ref) -> JournalEntry | None:
    return JournalEntry.objects.filter(
        company_id=company_id, source_type=source_type, source_ref=str(source_ref)
    ).first()
