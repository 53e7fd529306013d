"""Which certificate signs a company's notes, and whether an uploaded one may.

The company's A1 certificate (PKCS#12 + password) is stored encrypted with `core.secrets`
(`FiscalSettings.certificate_pfx`/`certificate_password`) and checked when uploaded: the password
opens it, it holds a key matching its certificate, the key may sign (digitalSignature), it is valid
today, and it belongs to the company (same CNPJ base, as SEFAZ demands: rejection 213). A homologação
company may instead sign with a test certificate, generated once per process (worthless, so nothing
secret is stored). Callers may also pass a loaded certificate explicitly.
"""

import datetime
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings as django_settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from retaguarda.fiscal import test_certificates
from retaguarda.fiscal.errors import CertificateError
from retaguarda.fiscal.models import Environment, FiscalSettings
from retaguarda.fiscal.sefaz import pki
from retaguarda.fiscal.xml.signing import SigningCertificate, load_pkcs12

TEST_PASSWORD = "teste"
MAX_PFX_BYTES = 64 * 1024  # an A1 file is a few kilobytes
EXPIRY_WARNING_DAYS = 30
SECRET_FIELDS = ("certificate_pfx", "certificate_password", "csc")  # defer them where they are not needed
ICP_BRASIL_CNPJ_OID = x509.ObjectIdentifier("2.16.76.1.3.3")  # subjectAltName otherName with the CNPJ
CNPJ = re.compile(r"[0-9A-Z]{12}[0-9]{2}")
_test_certificates: dict[tuple, SigningCertificate] = {}
_lock = threading.Lock()


def fake_sefaz_folder() -> Path:
    """Where the local fake SEFAZ keeps its CA (shared by `retaguarda fake-sefaz` and the app)."""
    return Path(getattr(django_settings, "FAKE_SEFAZ_DIR", None) or django_settings.DATA_DIR / "fake-sefaz")


def test_certificate(company, *, for_fake_sefaz: bool = False) -> SigningCertificate:
    """The process's test certificate for `company` (generated on first use): issued by the fake
    SEFAZ's CA when the company talks to the fake (mutual TLS needs it), self-signed otherwise."""
    folder = fake_sefaz_folder() if for_fake_sefaz else None
    cache_key = (company.pk, str(folder))
    with _lock:
        certificate = _test_certificates.get(cache_key)
        if certificate is None:
            issuer = pki.authority(folder) if folder else None
            data = test_certificates.generate(company.cnpj, company.legal_name, TEST_PASSWORD, issuer=issuer)
            certificate = load_pkcs12(data, TEST_PASSWORD)
            _test_certificates[cache_key] = certificate
    return certificate


@dataclass(frozen=True)
class CertificateInfo:
    """What the settings page shows of an installed certificate (kept in clear beside the encrypted file)."""

    subject: str
    cnpj: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    fingerprint: str


def certificate_cnpj(certificate: x509.Certificate) -> str:
    """The CNPJ an ICP-Brasil e-CNPJ certificate carries: in the subjectAltName (otherName 2.16.76.1.3.3),
    else after the colon of the common name ("RAZAO SOCIAL:CNPJ"). Empty when neither holds one."""
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = []
    for name in names:
        if isinstance(name, x509.OtherName) and name.type_id == ICP_BRASIL_CNPJ_OID:
            found = CNPJ.search(name.value.decode("latin-1"))
            if found:
                return found.group(0)
    for attribute in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME):
        found = CNPJ.search(str(attribute.value).rpartition(":")[2])
        if found:
            return found.group(0)
    return ""


def _date(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def inspect(data: bytes, password: str, company, *, now=None) -> tuple[SigningCertificate, CertificateInfo]:
    """Open an uploaded A1 file and check it can sign this company's notes; raises `CertificateError`
    with every problem found, in the user's language."""
    now = now or timezone.now()
    if not data:
        raise CertificateError(_("Choose the certificate file (.pfx or .p12)."))
    if len(data) > MAX_PFX_BYTES:
        raise CertificateError(_("This file is too large to be an A1 certificate (.pfx or .p12)."))
    loaded = load_pkcs12(data, password)
    certificate = loaded.certificate
    problems = []
    if not isinstance(loaded.key, rsa.RSAPrivateKey):
        problems.append(_("NF-e signatures need an RSA key; this certificate has another kind."))
    elif loaded.key.public_key().public_numbers() != certificate.public_key().public_numbers():
        problems.append(_("The file's private key does not belong to its certificate."))
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature
    except x509.ExtensionNotFound:
        signs = False
    if not signs:
        problems.append(_("This certificate may not sign documents (it lacks the digitalSignature key usage)."))
    if loaded.not_after < now:
        problems.append(_("This certificate expired on %(date)s.") % {"date": _date(loaded.not_after)})
    elif loaded.not_before > now:
        problems.append(_("This certificate is valid only from %(date)s.") % {"date": _date(loaded.not_before)})
    cnpj = certificate_cnpj(certificate)
    if not cnpj:
        problems.append(_("This is not an e-CNPJ certificate: it carries no CNPJ."))
    elif cnpj[:8] != company.cnpj[:8]:
        problems.append(
            _("This certificate belongs to CNPJ %(theirs)s, not to this company's (%(ours)s).")
            % {"theirs": cnpj, "ours": company.cnpj}
        )
    if problems:
        raise CertificateError(
            problems[0] if len(problems) == 1 else _("This certificate cannot sign this company's notes."),
            details=[{"field": "certificate", "message": p} for p in problems],
        )
    info = CertificateInfo(
        subject=loaded.subject[:300],
        cnpj=cnpj,
        not_before=loaded.not_before,
        not_after=loaded.not_after,
        fingerprint=hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest(),
    )
    return loaded, info


def days_left(settings: FiscalSettings, *, now=None) -> int | None:
    """Whole days until the installed certificate expires (negative once expired); None without one."""
    if not settings.certificate_fingerprint or settings.certificate_not_after is None:
        return None
    return (settings.certificate_not_after - (now or timezone.now())).days


def installed_certificate(settings: FiscalSettings) -> SigningCertificate:
    """The company's uploaded certificate, decrypted and loaded (once per process for the same file)."""
    pfx, password = (
        FiscalSettings.objects.filter(pk=settings.pk).values_list("certificate_pfx", "certificate_password").get()
    )
    return load_pkcs12(pfx, password)


def signing_certificate(company, settings: FiscalSettings) -> SigningCertificate:
    if settings.certificate_fingerprint:
        if settings.certificate_not_after and settings.certificate_not_after < timezone.now():
            raise CertificateError(
                _("The company's A1 certificate expired on %(date)s: upload the new one in the fiscal settings.")
                % {"date": _date(settings.certificate_not_after)}
            )
        return installed_certificate(settings)
    if settings.uses_test_certificate:
        if settings.environment != Environment.HOMOLOGATION:
            raise CertificateError(_("A test certificate signs only in homologação, never in production."))
        return test_certificate(company, for_fake_sefaz=bool(settings.sefaz_url))
    raise CertificateError(_("No A1 certificate is installed for this company. Upload it in the fiscal settings."))
