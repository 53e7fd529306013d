"""A company's fiscal settings that hold secrets: the A1 certificate (with its password) and the NFC-e
CSC, both stored encrypted through `core.secrets`. The audit records what changed by fingerprint,
never the value."""

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.scope import company_id_of
from retaguarda.fiscal import certificates
from retaguarda.fiscal.models import FiscalSettings

# Audited in clear (the file and password change with the fingerprint; they are never read back here,
# so a lost encryption key does not stop a new certificate from being installed).
CERTIFICATE_FIELDS = [
    "certificate_subject",
    "certificate_cnpj",
    "certificate_not_before",
    "certificate_not_after",
    "certificate_fingerprint",
    "uses_test_certificate",
]


def _locked_settings(actor: Actor) -> FiscalSettings:
    settings = (
        FiscalSettings.objects.select_for_update(of=("self",))
        .select_related("company")
        .defer(*certificates.SECRET_FIELDS)
        .filter(company_id=company_id_of(actor))
        .first()
    )
    if settings is None:
        raise ValidationFailed(_("This company has no fiscal settings yet: open the fiscal settings page first."))
    return settings


def install_certificate(data: bytes, password: str, *, actor: Actor) -> FiscalSettings:
    """Check the uploaded A1 file (see `certificates.inspect`) and make it the company's signing
    certificate, encrypted at rest; the test certificate, if one was used, is no longer."""
    with transaction.atomic():
        settings = _locked_settings(actor)
        _loaded, info = certificates.inspect(data, password, settings.company)
        before = audit.snapshot(settings, CERTIFICATE_FIELDS)
        settings.certificate_pfx = data
        settings.certificate_password = password
        settings.certificate_subject = info.subject
        settings.certificate_cnpj = info.cnpj
        settings.certificate_not_before = info.not_before
        settings.certificate_not_after = info.not_after
        settings.certificate_fingerprint = info.fingerprint
        settings.uses_test_certificate = False
        settings.version += 1
        settings.save(
            update_fields=[*CERTIFICATE_FIELDS, "certificate_pfx", "certificate_password", "version", "updated_at"]
        )
        audit.record_changed(actor, settings, before, "certificate_installed", company_id=settings.company_id)
    return settings


def set_csc(csc_id: str, csc: str, *, actor: Actor) -> FiscalSettings:
    """The NFC-e CSC (Código de Segurança do Contribuinte) and its id, given by SEFAZ, for QR code v2."""
    csc_id, csc = csc_id.strip(), csc.strip()
    problems = []
    if not csc_id.isdigit() or len(csc_id) > 6:
        problems.append({"field": "csc_id", "message": _("The CSC id has 1 to 6 digits.")})
    if not 16 <= len(csc) <= 36 or not csc.isalnum():
        problems.append({"field": "csc", "message": _("The CSC has 16 to 36 letters and digits.")})
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    with transaction.atomic():
        settings = _locked_settings(actor)
        previous_id = settings.csc_id
        settings.csc_id, settings.csc = csc_id, csc
        settings.version += 1
        settings.save(update_fields=["csc_id", "csc", "version", "updated_at"])
        audit.record(actor, settings, "csc_changed", {"csc_id": [previous_id, csc_id], "csc": ["", "[secret]"]})
    return settings
