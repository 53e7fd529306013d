"""Domain errors: a stable code, a message in Portuguese, details, and the HTTP status the API answers."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "core.error"
    status = 409
    default_message = _("The operation could not be completed.")

    def __init__(self, message: Any = None, *, details: list | None = None, code: str | None = None):
        self.message = str(message or self.default_message)
        self.details = details or []
        if code:
            self.code = code
        super().__init__(self.message)


class MissingRow(dict):
    """A problem `{"field", "message"}` that says an id in the body names no row the caller's company can
    see (another company's, or none): `missing_row(field, message)`."""


def missing_row(field: str, message: Any) -> MissingRow:
    return MissingRow(field=field, message=str(message))


class ValidationFailed(DomainError):
    """Bad input; `details` lists `{"field", "message"}` for every problem found, not just the first.

    When every problem is a `missing_row`, the refusal is a 404 `core.not_found` naming the fields: an id
    in the body is answered as one in the path, and another company's row looks like no row at all."""

    code = "core.validation"
    status = 422
    default_message = _("The data sent is invalid.")

    def __init__(self, message: Any = None, *, details: list | None = None, code: str | None = None):
        super().__init__(message, details=details, code=code)
        if self.details and all(isinstance(detail, MissingRow) for detail in self.details):
            self.status, self.code = NotFound.status, NotFound.code
            if not message:
                self.message = self.details[0]["message"] if len(self.details) == 1 else str(NotFound.default_message)

    @classmethod
    def from_django(cls, exc) -> "ValidationFailed":
        """Build from a django ValidationError (field dict or plain list)."""
        details = []
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                for error in errors:
                    details.append({"field": field, "message": " ".join(error.messages)})
        else:
            for message in exc.messages:
                details.append({"field": None, "message": message})
        return cls(details[0]["message"] if len(details) == 1 else None, details=details)


class NotFound(DomainError):
    code = "core.not_found"
    status = 404
    default_message = _("Record not found.")


class Forbidden(DomainError):
    code = "access.forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class InvalidTransition(DomainError):
    code = "core.invalid_transition"
    status = 409


class StaleVersion(DomainError):
    code = "core.stale_version"
    status = 409
    default_message = _("Someone else changed this record. Reload and try again.")


class IdempotencyConflict(DomainError):
    code = "core.idempotency_conflict"
    status = 422
    default_message = _("This idempotency key was already used with a different body.")
