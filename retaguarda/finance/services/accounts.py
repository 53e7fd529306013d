"""Cash accounts: bank accounts (bank from the banks table), cash boxes, cards, payment accounts.

The opening balance is posted to the journal against `opening` on the opening date; changing it later
posts the difference, so the journal's cash always equals the account's balance."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Bank
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO
from retaguarda.core.money import amount as money
from retaguarda.core.scope import company_id_of
from retaguarda.core.versioning import lock_for_edit
from retaguarda.finance.models import CashAccount, CashAccountKind, JournalAccount, JournalEntry
from retaguarda.finance.services.journal import JLine, post_journal
from retaguarda.finance.services.ledger import lock_accounts

OPENING_SOURCE = "finance.account_opening"


def account_problem(account: CashAccount | None, field: str = "account_id") -> dict | None:
    """The problem with the cash account a body names, or None: not one of the company's (a 404 when it
    is the only problem) or inactive."""
    if account is None:
        return missing_row(field, _("Choose an active cash account."))
    if not account.is_active:
        return {"field": field, "message": _("Choose an active cash account.")}
    return None


FIELDS = ("kind", "name", "bank_id", "branch", "number", "opening_balance", "opening_date", "is_active")


def _clean(company_id: int, data: dict, instance: CashAccount | None = None) -> list[dict]:
    details = []
    name = (data.get("name") or "").strip()
    data["name"] = name
    if not name or len(name) > 60:
        details.append({"field": "name", "message": _("Enter a name of up to 60 characters.")})
    elif (
        CashAccount.objects.filter(company_id=company_id, name=name).exclude(pk=getattr(instance, "pk", None)).exists()
    ):
        details.append({"field": "name", "message": _("Another account has this name.")})
    if data.get("kind") not in CashAccountKind.values:
        details.append({"field": "kind", "message": _("Invalid value.")})
    bank_id = data.get("bank_id") or None
    data["bank_id"] = bank_id
    if data.get("kind") == CashAccountKind.BANK and not bank_id:
        details.append({"field": "bank_id", "message": _("Choose the bank.")})
    elif bank_id and not Bank.objects.filter(pk=bank_id).exists():
        details.append(missing_row("bank_id", _("Bank not found.")))
    for field, size in (("branch", 10), ("number", 20)):
        value = (data.get(field) or "").strip()
        data[field] = value
        if len(value) > size:
            details.append({"field": field, "message": _("Text too long.")})
    opening = data.get("opening_balance")
    if opening is None:
        data["opening_balance"] = ZERO
    elif (
        not isinstance(opening, Decimal)
        or not opening.is_finite()
        or money(opening) != opening
        or abs(opening) >= Decimal("1e14")
    ):
        details.append({"field": "opening_balance", "message": _("Enter an amount with at most 2 decimal places.")})
    if not isinstance(data.get("opening_date"), date):
        details.append({"field": "opening_date", "message": _("Invalid date.")})
    return details


def create_account(*, actor: Actor, **data) -> CashAccount:
    company_id = company_id_of(actor)
    data = {k: data.get(k) for k in FIELDS if k in data}
    data.setdefault("is_active", True)
    details = _clean(company_id, data)
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        account = CashAccount.objects.create(company_id=company_id, balance=data["opening_balance"], **data)
        _post_opening(account, account.opening_balance, actor=actor)
        audit.record_created(actor, account)
    return account


def update_account(account_id: int, *, actor: Actor, version: int | None = None, **changes) -> CashAccount:
    company_id = company_id_of(actor)
    with transaction.atomic():
        account = lock_for_edit(CashAccount.objects.filter(company_id=company_id), account_id, version)
        lock_accounts([account.pk])
        before = audit.snapshot(account)
        data = {k: getattr(account, k) for k in FIELDS}
        data.update({k: v for k, v in changes.items() if k in FIELDS})
        details = _clean(company_id, data, account)
        if details:
            raise ValidationFailed(details=details)
        difference = data["opening_balance"] - account.opening_balance
        for k, v in data.items():
            setattr(account, k, v)
        account.balance += difference
        account.version += 1
        account.save()
        if difference:
            _post_opening(account, difference, actor=actor)
        audit.record_changed(actor, account, before)
    return account


def _post_opening(account: CashAccount, value: Decimal, *, actor: Actor) -> None:
    if not value:
        return
    n = JournalEntry.objects.filter(
        company_id=account.company_id, source_type=OPENING_SOURCE, source_ref__startswith=f"{account.pk}."
    ).count()
    post_journal(
        company_id=account.company_id,
        on=account.opening_date,
        description=_("Opening balance of %(account)s") % {"account": account},
        source_type=OPENING_SOURCE,
        source_ref=f"{account.pk}.{n + 1}",
        lines=[
            JLine(JournalAccount.CASH, value, cash_account_id=account.pk),
            JLine(JournalAccount.OPENING, -value),
        ],
        actor=actor,
    )
