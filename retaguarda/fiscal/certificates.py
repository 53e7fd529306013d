"""Which certificate signs a company's notes.

A real A1 certificate (PKCS#12 + password) is stored encrypted with `core.secrets`, which the trust
issue delivers; until it lands there is no upload, and only a homologação company marked to use a
test certificate can sign: a self-signed one is generated once per process (it has no value, so
nothing secret is stored anywhere). Callers may also pass a loaded certificate explicitly.
"""

import threading

from django.utils.translation import gettext as _

from retaguarda.fiscal import test_certificates
from retaguarda.fiscal.errors import CertificateError
from retaguarda.fiscal.models import Environment, FiscalSettings
from retaguarda.fiscal.xml.signing import SigningCertificate, load_pkcs12

TEST_PASSWORD = "teste"
_test_certificates: dict[int, SigningCertificate] = {}
_lock = threading.Lock()


def test_certificate(company) -> SigningCertificate:
    """The process's self-signed certificate for `company` (generated on first use)."""
    with _lock:
        certificate = _test_certificates.get(company.pk)
        if certificate is None:
            data = test_certificates.generate(company.cnpj, company.legal_name, TEST_PASSWORD)
            certificate = load_pkcs12(data, TEST_PASSWORD)
            _test_certificates[company.pk] = certificate
    return certificate


def signing_certificate(company, settings: FiscalSettings) -> SigningCertificate:
    if settings.uses_test_certificate:
        if settings.environment != Environment.HOMOLOGATION:
            raise CertificateError(_("A test certificate signs only in homologação, never in production."))
        return test_certificate(company)
    raise CertificateError(_("No A1 certificate is installed for this company. Upload it in the fiscal settings."))
