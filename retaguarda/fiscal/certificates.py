"""Which certificate signs a company's notes.

A real A1 certificate (PKCS#12 + password) is stored encrypted with `core.secrets`, which the trust
issue delivers; until it lands there is no upload, and only a homologação company marked to use a
test certificate can sign: a self-signed one is generated once per process (it has no value, so
nothing secret is stored anywhere). Callers may also pass a loaded certificate explicitly.
"""

import threading
from pathlib import Path

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from retaguarda.fiscal import test_certificates
from retaguarda.fiscal.errors import CertificateError
from retaguarda.fiscal.models import Environment, FiscalSettings
from retaguarda.fiscal.sefaz import pki
from retaguarda.fiscal.xml.signing import SigningCertificate, load_pkcs12

TEST_PASSWORD = "teste"
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


def signing_certificate(company, settings: FiscalSettings) -> SigningCertificate:
    if settings.uses_test_certificate:
        if settings.environment != Environment.HOMOLOGATION:
            raise CertificateError(_("A test certificate signs only in homologação, never in production."))
        return test_certificate(company, for_fake_sefaz=bool(settings.sefaz_url))
    raise CertificateError(_("No A1 certificate is installed for this company. Upload it in the fiscal settings."))
