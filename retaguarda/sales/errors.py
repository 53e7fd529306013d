"""Sales errors, each with a stable code the API and the pages show."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class DuplicateExternalId(DomainError):
    """The channel already sent an order with this id (under another idempotency key)."""

    code = "sales.duplicate_external_id"
    status = 409
    default_message = _("This channel already sent an order with this id.")


class UnknownProducts(DomainError):
    code = "sales.unknown_products"
    status = 422
    default_message = _("Products not found.")


class CreditLimitExceeded(DomainError):
    code = "sales.credit_limit"
    status = 409
    default_message = _("The order exceeds the customer's credit limit.")


class CustomerOverdue(DomainError):
    """A customer under credit control has installments past due."""

    code = "sales.customer_overdue"
    status = 409
    default_message = _("The customer has overdue installments.")


class NotInvoiceable(DomainError):
    code = "sales.not_invoiceable"
    status = 409
    default_message = _("The order cannot be invoiced.")
