from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class DuplicateCompany(DomainError):
    code = "companies.duplicate_cnpj"
    status = 409
    default_message = _("A company with this CNPJ is already registered.")
