"""Reconciliation: a statement line explained by financial entries whose cash effects add up to it
exactly. The user confirms a suggestion (an existing entry, or an open installment, which is then
settled on the line's date into the line's account), splits the line over several, or creates a direct
entry from it. A reconciled line is locked; only an explicit, audited undo releases it."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed, missing_row
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO
from retaguarda.core.scope import company_id_of
from retaguarda.finance.errors import LineLocked, ReconciliationMismatch
from retaguarda.finance.models import FinancialEntry, Installment, Reconciliation, StatementLine
from retaguarda.finance.services.direct import record_direct
from retaguarda.finance.services.settlements import settle
from retaguarda.finance.states import LineState


@dataclass(frozen=True)
class SettleIn:
    """Settle `amount` (positive) of an open installment from the line."""

    installment_id: int
    amount: Decimal


@dataclass(frozen=True)
class CreateIn:
    """A direct entry made from (part of) the line."""

    category_id: int
    amount: Decimal
    party_id: int | None = None
    cost_center_id: int | None = None
    memo: str = ""


def _lock_line(company_id: int, line_id: int) -> StatementLine:
    line = StatementLine.objects.select_for_update().filter(company_id=company_id, pk=line_id).first()
    if line is None:
        raise NotFound()
    return line


def _log(line: StatementLine, before: str, actor: Actor, payload=None) -> None:
    DocumentEvent.objects.create(
        document_type=StatementLine._meta.label_lower,
        document_id=line.pk,
        from_state=before,
        to_state=line.state,
        user=actor.user,
        origin=actor.origin,
        payload=payload or {},
    )


def reconcile(
    line_id: int,
    *,
    actor: Actor,
    entry_ids: Sequence[int] = (),
    settlements: Sequence[SettleIn] = (),
    creations: Sequence[CreateIn] = (),
) -> StatementLine:
    """Match line `line_id` with existing entries, new settlements and new direct entries, all at once."""
    company_id = company_id_of(actor)
    if not (entry_ids or settlements or creations):
        raise ValidationFailed(details=[{"field": "entries", "message": _("Choose what explains this line.")}])
    with transaction.atomic():
        line = _lock_line(company_id, line_id)
        if line.state != LineState.UNRECONCILED:
            raise LineLocked()
        entries = list(
            FinancialEntry.objects.select_for_update()
            .filter(company_id=company_id, pk__in=list(entry_ids))
            .order_by("id")
        )
        problems = []
        if len(entries) != len(set(entry_ids)):
            problems.append(missing_row("entry_ids", _("Entry not found.")))
        for entry in entries:
            if entry.account_id != line.account_id or not entry.cash_delta:
                problems.append(
                    {"field": "entry_ids", "message": _("Entry %(id)s is not in this account.") % {"id": entry.pk}}
                )
            elif entry.reverses_id or FinancialEntry.objects.filter(reverses=entry).exists():
                problems.append({"field": "entry_ids", "message": _("Entry %(id)s was reversed.") % {"id": entry.pk}})
        if Reconciliation.objects.filter(entry__in=entries).exists():
            problems.append({"field": "entry_ids", "message": _("An entry chosen is already reconciled.")})
        if problems:
            raise ValidationFailed(details=problems)
        for item in settlements:
            inst = Installment.objects.filter(company_id=company_id, pk=item.installment_id).first()
            if inst is None:
                raise ValidationFailed(details=[missing_row("settlements", _("Installment not found."))])
            done = settle(
                item.installment_id,
                actor=actor,
                on=line.date,
                account_id=line.account_id,
                paid=item.amount,
                memo=line.memo[:200],
            )
            entries += [e for e in done.entries.all() if e.cash_delta]
        for item in creations:
            entries.append(
                record_direct(
                    actor=actor,
                    account_id=line.account_id,
                    category_id=item.category_id,
                    amount=item.amount,
                    on=line.date,
                    party_id=item.party_id,
                    cost_center_id=item.cost_center_id,
                    memo=item.memo or line.memo,
                )
            )
        total = sum((e.cash_delta for e in entries), ZERO)
        if total != line.amount:
            raise ReconciliationMismatch(
                _("The entries add up to %(total)s; the bank line is %(amount)s.")
                % {"total": total, "amount": line.amount},
                details=[{"field": "entries", "total": str(total), "line": str(line.amount)}],
            )
        Reconciliation.objects.bulk_create(
            [Reconciliation(company_id=company_id, line=line, entry=e, user_id=actor.user_id) for e in entries]
        )
        before = line.state
        line.state = LineState.RECONCILED
        line.reconciled_at = timezone.now()
        line.version += 1
        line.save(update_fields=["state", "reconciled_at", "version"])
        _log(line, before, actor, {"entries": [e.pk for e in entries]})
        audit.record(actor, line, "reconciled", {"entries": [e.pk for e in entries]}, company_id=company_id)
    return line


def undo_reconciliation(line_id: int, *, actor: Actor) -> StatementLine:
    """Release a reconciled line: its matches are forgotten; the entries themselves stay."""
    company_id = company_id_of(actor)
    with transaction.atomic():
        line = _lock_line(company_id, line_id)
        if line.state != LineState.RECONCILED:
            raise ValidationFailed(_("This bank line is not reconciled."))
        entries = list(line.matches.values_list("entry_id", flat=True))
        line.matches.all().delete()
        before = line.state
        line.state = LineState.UNRECONCILED
        line.reconciled_at = None
        line.version += 1
        line.save(update_fields=["state", "reconciled_at", "version"])
        _log(line, before, actor, {"released": entries})
        audit.record(actor, line, "reconciliation_undone", {"entries": entries}, company_id=company_id)
    return line


def set_ignored(line_id: int, *, actor: Actor, ignored: bool = True) -> StatementLine:
    """Lines that need no entry (a balance line, a blocked amount released the same day) are set aside."""
    company_id = company_id_of(actor)
    with transaction.atomic():
        line = _lock_line(company_id, line_id)
        target = LineState.IGNORED if ignored else LineState.UNRECONCILED
        if line.state == target:
            return line
        if line.state == LineState.RECONCILED:
            raise LineLocked()
        before = line.state
        line.state = target
        line.version += 1
        line.save(update_fields=["state", "version"])
        _log(line, before, actor)
        audit.record(actor, line, "updated", {"state": [before, target]}, company_id=company_id)
    return line
