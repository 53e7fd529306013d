"""Bank statement import: an OFX file read by our reader, each statement matched to a cash account,
its lines deduplicated by account + FITID (banks repeat FITIDs across files, and people import the same
month twice). Nothing is saved unless every statement in the file has an account."""

import hashlib
import re

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.scope import company_id_of
from retaguarda.finance.errors import NotOfx, UnknownStatementAccount
from retaguarda.finance.models import BankStatement, CashAccount, StatementLine
from retaguarda.finance.ofx import OfxError, OfxStatement, read_ofx
from retaguarda.finance.services.ledger import lock_accounts


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _matches(account: CashAccount, statement: OfxStatement) -> bool:
    """Same account number (digits only, leading zeros ignored), or a card's last four digits."""
    ours, theirs = _digits(account.number).lstrip("0"), _digits(statement.account_id).lstrip("0")
    if not ours or not theirs:
        return False
    if statement.kind == "creditcard":
        return ours[-4:] == theirs[-4:]
    return ours == theirs or theirs.endswith(ours) or ours.endswith(theirs)


def describe(statement: OfxStatement) -> str:
    if statement.kind == "creditcard":
        return _("credit card %(number)s") % {"number": statement.account_id}
    return _("bank %(bank)s, branch %(branch)s, account %(account)s") % {
        "bank": statement.bank_id or "?",
        "branch": statement.branch_id or "?",
        "account": statement.account_id or "?",
    }


def import_statement(
    *, actor: Actor, data: bytes, file_name: str, account_id: int | None = None
) -> list[BankStatement]:
    """Import every statement of an OFX file. `account_id` names the account of a one-statement file;
    otherwise each statement is matched to the company's account with the same number."""
    company_id = company_id_of(actor)
    try:
        ofx = read_ofx(data)
    except OfxError as exc:
        raise NotOfx(exc.message, details=exc.details) from exc
    accounts = list(CashAccount.objects.filter(company_id=company_id, is_active=True))
    chosen = {a.pk: a for a in accounts}.get(account_id) if account_id else None
    if account_id and chosen is None:
        raise UnknownStatementAccount(details=[{"field": "account_id", "message": _("Choose an active cash account.")}])
    pairs, missing = [], []
    for statement in ofx.statements:
        if chosen is not None and len(ofx.statements) == 1:
            pairs.append((chosen, statement))
            continue
        found = [a for a in accounts if _matches(a, statement)]
        if len(found) == 1:
            pairs.append((found[0], statement))
        else:
            missing.append({"field": "account_id", "message": describe(statement)})
    if missing:
        raise UnknownStatementAccount(
            _("No single account matches: %(list)s. Fill in the account number or import each account separately.")
            % {"list": "; ".join(m["message"] for m in missing)},
            details=missing,
        )
    digest = hashlib.sha256(data).hexdigest()
    imported = []
    with transaction.atomic():
        lock_accounts([a.pk for a, _s in pairs])  # one import per account at a time: the dedupe stays exact
        for account, statement in pairs:
            fitids = [t.fitid for t in statement.transactions]
            known = set(StatementLine.objects.filter(account=account, fitid__in=fitids).values_list("fitid", flat=True))
            fresh = [t for t in statement.transactions if t.fitid not in known]
            record = BankStatement.objects.create(
                company_id=company_id,
                account=account,
                file_name=(file_name or "extrato.ofx")[:200],
                file_sha256=digest,
                start_date=statement.start,
                end_date=statement.end,
                ledger_balance=statement.ledger_balance,
                ledger_balance_date=statement.ledger_balance_date,
                lines_read=len(statement.transactions),
                lines_new=len(fresh),
                user_id=actor.user_id,
            )
            StatementLine.objects.bulk_create(
                [
                    StatementLine(
                        company_id=company_id,
                        account=account,
                        statement=record,
                        fitid=t.fitid,
                        date=t.posted,
                        amount=t.amount,
                        bank_type=t.type,
                        memo=t.memo,
                        name=t.name,
                        check_number=t.check_number,
                        ref_number=t.ref_number,
                    )
                    for t in fresh
                    if t.amount
                ]
            )
            audit.record(
                actor, record, "statement_imported", {"lines_read": record.lines_read, "lines_new": record.lines_new}
            )
            imported.append(record)
    return imported
