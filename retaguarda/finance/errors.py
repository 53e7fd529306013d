"""Finance errors, each with a stable code the API answers and a message in Portuguese."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class OverSettlement(DomainError):
    code = "finance.over_settlement"
    status = 409
    default_message = _("The amount exceeds what is still open on the installment.")


class NotCancellable(DomainError):
    code = "finance.not_cancellable"
    status = 409
    default_message = _("Only a title with nothing settled can be cancelled: reverse its settlements first.")


class AlreadyReversed(DomainError):
    code = "finance.already_reversed"
    status = 409
    default_message = _("This settlement was already reversed.")


class EntryReconciled(DomainError):
    code = "finance.entry_reconciled"
    status = 409
    default_message = _("A reconciled bank line locks this entry: undo the reconciliation first.")


class LineLocked(DomainError):
    code = "finance.line_locked"
    status = 409
    default_message = _("This bank line is already reconciled.")


class ReconciliationMismatch(DomainError):
    code = "finance.reconciliation_mismatch"
    status = 422
    default_message = _("The entries chosen do not add up to the bank line's amount.")


class NotOfx(DomainError):
    code = "finance.not_ofx"
    status = 422
    default_message = _("The file is not an OFX bank statement.")


class UnknownStatementAccount(DomainError):
    code = "finance.unknown_statement_account"
    status = 422
    default_message = _("Choose the account this statement belongs to.")
