from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class DuplicateDocument(DomainError):
    code = "parties.duplicate_document"
    status = 409
    default_message = _("A party with this CPF/CNPJ is already registered in this company.")
