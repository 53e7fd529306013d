from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError


class InvalidCredentials(DomainError):
    code = "access.invalid_credentials"
    status = 401
    default_message = _("Usuário ou senha incorretos.")


class LockedOut(DomainError):
    code = "access.locked_out"
    status = 429
    default_message = _("Muitas tentativas de acesso com erro. Aguarde alguns minutos e tente de novo.")
