"""System checks for talking to SEFAZ: the chain its servers' certificates are verified against.

SEFAZ's web services present ICP-Brasil certificates, which the usual trust stores (Debian's
ca-certificates, certifi) do not hold. The chain ships with the product (the `certifi-icpbr` package:
Mozilla's roots plus ICP-Brasil's v5, v10 and v11 roots and their intermediates), so an install verifies
SEFAZ out of the box; `SEFAZ_CA_BUNDLE` replaces it with a file of the operator's (a newer chain from ITI,
built with `retaguarda sefaz-ca-bundle`), and these checks refuse a file that is missing or holds no CA."""

from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core import checks

HOW = "Point SEFAZ_CA_BUNDLE at the ICP-Brasil chain in one PEM file (docs/fiscal.md, 'Talking to SEFAZ')."


def bundle_certificates(path: str) -> list[x509.Certificate]:
    """The CA certificates of a PEM bundle (an empty list when it holds none)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return []
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        return []
    return [c for c in certificates if is_ca(c)]


def is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def shipped_bundle() -> str:
    """The PEM file of the chain that ships with the product (used when `SEFAZ_CA_BUNDLE` is unset)."""
    import certifi_icpbr  # only when a transmission to the official SEFAZ is prepared

    return certifi_icpbr.where()


@checks.register("fiscal")
def sefaz_ca_bundle(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    path = getattr(settings, "SEFAZ_CA_BUNDLE", None)
    if not path:
        return []
    if not Path(path).is_file():
        return [checks.Error(f"SEFAZ_CA_BUNDLE: no file at {path}.", hint=HOW, id="fiscal.E001")]
    if not bundle_certificates(path):
        return [
            checks.Error(f"SEFAZ_CA_BUNDLE: {path} holds no CA certificate in PEM form.", hint=HOW, id="fiscal.E002")
        ]
    return []
