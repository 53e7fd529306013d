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


class ValidationFailed(DomainError):
    """Bad input; `details` lists `{"field", "message"}` for every problem found, not just the first."""

    code = "core.validation"
    status = 422
    default_message = _("The data sent is invalid.")

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
