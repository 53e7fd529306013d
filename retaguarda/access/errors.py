from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class InvalidCredentials(DomainError):
    code = "access.invalid_credentials"
    status = 401
    default_message = _("Wrong username or password.")


class LockedOut(DomainError):
    code = "access.locked_out"
    status = 429
    default_message = _("Too many failed sign-in attempts. Wait a few minutes and try again.")
