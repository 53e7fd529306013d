"""Settlements (baixas): an installment paid in full or in part, with interest, fine, discount and
withheld taxes as entries of their own; reversed by mirror entries, never deleted.

The 2027 split payment settles a receivable net of IBS and CBS: pass them as `Withholding("ibs", …)`
and `Withholding("cbs", …)`; they leave the open amount without entering the bank, and the journal
takes them off the taxes payable (the tax was the buyer's to pay on our behalf). Other withheld taxes on
a receivable (IRRF, ISS, …) become taxes recoverable; on a payable, taxes we owe on the supplier's behalf.

Lock order, shared by every writer: title, then its installments, then cash accounts by id."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import ZERO
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.finance.errors import AlreadyReversed, EntryReconciled, OverSettlement
from retaguarda.finance.models import (
    CashAccount,
    EntryKind,
    FinancialEntry,
    Installment,
    JournalAccount,
    Reconciliation,
    Settlement,
    TitleKind,
    WithheldTax,
)
from retaguarda.finance.services.accounts import account_problem
from retaguarda.finance.services.chart import category_for_role
from retaguarda.finance.services.journal import JLine, category_line, journal_for, post_journal, reverse_journal
from retaguarda.finance.services.ledger import append_entries, mirror
from retaguarda.finance.services.title_state import lock_title, set_open
from retaguarda.finance.states import SettlementState, TitleState

SETTLEMENT_SOURCE = "finance.settlement"
REVERSAL_SOURCE = "finance.settlement_reversal"
SPLIT_PAYMENT_TAXES = {WithheldTax.IBS, WithheldTax.CBS}


@dataclass(frozen=True)
class Withholding:
    tax: str
    amount: Decimal


def _money_field(details: list, field: str, value) -> Decimal:
    if value is None:
        return ZERO
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        details.append({"field": field, "message": _("Enter an amount of zero or more.")})
        return ZERO
    if money(value) != value:
        details.append({"field": field, "message": _("Amounts have at most 2 decimal places.")})
        return ZERO
    if value >= Decimal("1e14"):
        details.append({"field": field, "message": _("Amount too large.")})
        return ZERO
    return value


def settle(
    installment_id: int,
    *,
    actor: Actor,
    on: date | None = None,
    account_id: int | None = None,
    paid: Decimal | None = None,
    interest: Decimal | None = None,
    fine: Decimal | None = None,
    discount: Decimal | None = None,
    withholdings: Sequence[Withholding] = (),
    memo: str = "",
) -> Settlement:
    """Pay installment `installment_id` into or out of `account_id` on `on`.

    `paid` is what moves in the account; without it the whole open amount is paid (plus interest and
    fine, less discount and withheld taxes). What leaves the open amount, `paid - interest - fine +
    discount + withheld`, must be positive and at most what is open."""
    company_id = company_id_of(actor)
    on = on or timezone.localdate()
    details: list[dict] = []
    interest = _money_field(details, "interest", interest)
    fine = _money_field(details, "fine", fine)
    discount = _money_field(details, "discount", discount)
    taxes: list[tuple[str, Decimal]] = []
    for i, w in enumerate(withholdings):
        if w.tax not in WithheldTax.values:
            details.append({"field": f"withholdings.{i}.tax", "message": _("Unknown tax.")})
        value = _money_field(details, f"withholdings.{i}.amount", w.amount)
        if value:
            taxes.append((w.tax, value))
    paid_given = paid is not None
    paid = _money_field(details, "paid", paid)
    if len(memo) > 200:
        details.append({"field": "memo", "message": _("Text too long.")})
    if details:
        raise ValidationFailed(details=details)
    withheld = sum((v for _t, v in taxes), ZERO)

    with transaction.atomic():
        title_id = (
            Installment.objects.filter(company_id=company_id, pk=installment_id)
            .values_list("title_id", flat=True)
            .first()
        )
        if title_id is None:
            raise NotFound()
        title = lock_title(company_id, title_id)
        installment = Installment.objects.select_for_update().get(pk=installment_id)
        if title.state == TitleState.CANCELLED:
            raise OverSettlement(_("The title is cancelled."))
        if not paid_given:
            paid = installment.amount_open + interest + fine - discount - withheld
        principal = paid - interest - fine + discount + withheld
        cash_principal = paid - interest - fine
        if cash_principal < 0:
            raise ValidationFailed(
                details=[{"field": "paid", "message": _("The amount paid must cover the interest and the fine.")}]
            )
        if principal <= 0:
            raise ValidationFailed(details=[{"field": "paid", "message": _("Nothing would be settled.")}])
        if principal > installment.amount_open:
            raise OverSettlement(
                _("%(principal)s exceeds the %(open)s still open on the installment.")
                % {"principal": principal, "open": installment.amount_open},
                details=[{"field": "paid", "open": str(installment.amount_open), "requested": str(principal)}],
            )
        account = None
        if paid:
            account = CashAccount.objects.filter(company_id=company_id, pk=account_id).first()
            if problem := account_problem(account):
                raise ValidationFailed(details=[problem])

        settlement = Settlement.objects.create(
            company_id=company_id,
            installment=installment,
            title=title,
            account=account,
            date=on,
            principal=principal,
            paid=paid,
            interest=interest,
            fine=fine,
            discount=discount,
            withheld=withheld,
            memo=memo.strip(),
            user_id=actor.user_id,
        )
        receivable = title.kind == TitleKind.RECEIVABLE
        sign = title.sign
        common = {
            "company_id": company_id,
            "date": on,
            "installment": installment,
            "title": title,
            "party_id": title.party_id,
            "cost_center_id": title.cost_center_id,
            "settlement": settlement,
            "memo": memo.strip()[:200],
        }
        role = {
            "interest": "interest_received" if receivable else "interest_paid",
            "fine": "fines_received" if receivable else "fines_paid",
            "discount": "discounts_granted" if receivable else "discounts_obtained",
        }
        parts = {"interest": interest, "fine": fine, "discount": discount}
        cats = {part: category_for_role(company_id, r) for part, r in role.items() if parts[part]}
        account_pk = account.pk if account else None
        rows = []
        if cash_principal:
            rows.append(
                FinancialEntry(
                    kind=EntryKind.PAYMENT,
                    account_id=account_pk,
                    category_id=title.category_id,
                    amount=cash_principal,
                    cash_delta=sign * cash_principal,
                    principal_delta=cash_principal,
                    **common,
                )
            )
        for part, value in (("interest", interest), ("fine", fine)):
            if value:
                rows.append(
                    FinancialEntry(
                        kind=part,
                        account_id=account_pk,
                        category=cats[part],
                        amount=value,
                        cash_delta=sign * value,
                        **common,
                    )
                )
        if discount:
            rows.append(
                FinancialEntry(
                    kind=EntryKind.DISCOUNT,
                    category=cats["discount"],
                    amount=discount,
                    principal_delta=discount,
                    **common,
                )
            )
        for tax, value in taxes:
            rows.append(
                FinancialEntry(
                    kind=EntryKind.WITHHOLDING,
                    category_id=title.category_id,
                    tax=tax,
                    amount=value,
                    principal_delta=value,
                    **common,
                )
            )
        append_entries(rows, actor=actor)

        party_pk = title.party_id
        open_account = JournalAccount.RECEIVABLES if receivable else JournalAccount.PAYABLES
        lines = [JLine(open_account, -sign * principal, party_id=party_pk)]
        if paid:
            lines.append(JLine(JournalAccount.CASH, sign * paid, cash_account_id=account_pk))
        for part in ("interest", "fine"):
            if part in cats:
                lines.append(category_line(cats[part], -sign * parts[part], cost_center_id=title.cost_center_id))
        if discount:
            lines.append(category_line(cats["discount"], sign * discount, cost_center_id=title.cost_center_id))
        for tax, value in taxes:
            if receivable:
                target = (
                    JournalAccount.TAXES_PAYABLE if tax in SPLIT_PAYMENT_TAXES else JournalAccount.TAXES_RECOVERABLE
                )
            else:
                target = JournalAccount.TAXES_PAYABLE
            lines.append(JLine(target, sign * value))
        post_journal(
            company_id=company_id,
            on=on,
            description=_("Settlement of %(title)s, installment %(n)s") % {"title": title, "n": installment.number},
            source_type=SETTLEMENT_SOURCE,
            source_ref=str(settlement.pk),
            lines=lines,
            actor=actor,
        )

        installment.amount_open -= principal
        installment.settled_on = on if installment.amount_open == 0 else None
        installment.save(update_fields=["amount_open", "settled_on"])
        set_open(title, title.amount_open - principal, actor=actor, payload={"settlement": settlement.pk})
        audit.record_created(actor, settlement)
        audit.record(actor, title, "settled", {"settlement": settlement.pk, "principal": str(principal)})
    return settlement


def reverse_settlement(settlement_id: int, *, actor: Actor, on: date | None = None, reason: str = "") -> Settlement:
    """Undo a settlement by mirror entries dated `on` (today by default): the installment reopens and the
    money goes back out of (or into) the account."""
    company_id = company_id_of(actor)
    on = on or timezone.localdate()
    with transaction.atomic():
        found = (
            Settlement.objects.filter(company_id=company_id, pk=settlement_id)
            .values_list("title_id", flat=True)
            .first()
        )
        if found is None:
            raise NotFound()
        title = lock_title(company_id, found)
        settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
        if settlement.state == SettlementState.REVERSED:
            raise AlreadyReversed()
        installment = Installment.objects.select_for_update().get(pk=settlement.installment_id)
        entries = list(settlement.entries.filter(reverses__isnull=True).order_by("id"))
        if Reconciliation.objects.filter(entry__in=entries).exists():
            raise EntryReconciled()
        append_entries([mirror(e, on=on, memo=reason) for e in entries], actor=actor)
        reverse_journal(
            journal_for(company_id, SETTLEMENT_SOURCE, settlement.pk),
            on=on,
            source_type=REVERSAL_SOURCE,
            source_ref=str(settlement.pk),
            description=_("Reversal of settlement %(id)s of %(title)s") % {"id": settlement.pk, "title": title},
            actor=actor,
        )
        settlement.state = SettlementState.REVERSED
        settlement.reversed_on = on
        settlement.save(update_fields=["state", "reversed_on", "updated_at"])
        installment.amount_open += settlement.principal
        installment.settled_on = None
        installment.save(update_fields=["amount_open", "settled_on"])
        set_open(
            title, title.amount_open + settlement.principal, actor=actor, payload={"reversed_settlement": settlement.pk}
        )
        audit.record(actor, title, "settlement_reversed", {"settlement": settlement.pk, "reason": reason[:200]})
    return settlement
