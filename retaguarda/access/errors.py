from django.core.exceptions import BadRequest, PermissionDenied
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


class InvalidCompanyHeader(DomainError, BadRequest):
    code = "access.invalid_company"
    status = 400
    default_message = _("The X-Company header must be a company id (digits only).")


class ForeignCompany(DomainError, PermissionDenied):
    code = "access.foreign_company"
    status = 403
    default_message = _("You have no access to the company in the X-Company header.")


class UserInOtherCompanies(DomainError):
    code = "access.user_in_other_companies"
    status = 409
    default_message = _(
        "This user also works in companies you do not administer: remove their membership in this company instead."
    )
