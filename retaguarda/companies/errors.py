from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class DuplicateCompany(DomainError):
    code = "companies.duplicate_cnpj"
    status = 409
    default_message = _("Já existe uma empresa com este CNPJ.")
