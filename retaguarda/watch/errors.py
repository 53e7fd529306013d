"""Watch errors, each with a stable code the API answers and a message in Portuguese."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError, NotFound, ValidationFailed


class ReasonRequired(ValidationFailed):
    code = "watch.reason_required"
    default_message = _("Say why the occurrence is dismissed.")


class StepNotFound(NotFound):
    code = "watch.step_not_found"
    default_message = _("This step is not in the occurrence's plan.")


class OccurrenceClosed(DomainError):
    code = "watch.occurrence_closed"
    status = 409
    default_message = _("The occurrence is closed: reopen it first.")
