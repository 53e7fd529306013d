"""Purchasing errors, each with a stable code the API and the pages show."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError, ValidationFailed


class OverReceipt(DomainError):
    """More received than is still open on an order line; `details` lists every line."""

    code = "purchasing.over_receipt"
    status = 409
    default_message = _("The receipt takes more than is still open on the order.")


class InstallmentsMismatch(DomainError):
    code = "purchasing.installments_mismatch"
    status = 422
    default_message = _("The installments do not add up to the receipt's total.")


class NfeRejected(ValidationFailed):
    """An uploaded file that cannot become an entry (not XML, not an NF-e, another recipient...)."""

    code = "purchasing.nfe_rejected"
    status = 422
    default_message = _("This file cannot be imported as an NF-e.")


class NfeAlreadyImported(DomainError):
    code = "purchasing.nfe_already_imported"
    status = 409
    default_message = _("This NF-e was already imported.")
