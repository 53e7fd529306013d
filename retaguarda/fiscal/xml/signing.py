"""XML-DSig the way SEFAZ wants it: enveloped, RSA-SHA1, C14N 1.0, the certificate in X509Data, and no
`ds:` prefix. The A1 certificate is loaded from its PKCS#12 bytes once (PBKDF2 costs tens of ms)."""

import datetime
import hashlib
import threading
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.utils.translation import gettext as _
from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner, namespaces
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from retaguarda.fiscal.errors import CertificateError


@dataclass(frozen=True)
class SigningCertificate:
    key: object  # an RSA private key
    certificate: x509.Certificate
    pem: str
    pkcs12: bytes = field(default=b"", repr=False)  # kept in memory for mutual TLS with SEFAZ
    password: str = field(default="", repr=False)

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def not_after(self) -> datetime.datetime:
        return self.certificate.not_valid_after_utc

    @property
    def not_before(self) -> datetime.datetime:
        return self.certificate.not_valid_before_utc


_cache: dict[str, SigningCertificate] = {}
_cache_lock = threading.Lock()


def load_pkcs12(data: bytes, password: str) -> SigningCertificate:
    """The certificate and key of an A1 PKCS#12 file; the same bytes are decoded only once per process."""
    fingerprint = hashlib.sha256(data + b"\0" + password.encode()).hexdigest()
    with _cache_lock:
        cached = _cache.get(fingerprint)
    if cached is not None:
        return cached
    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError as exc:
        if looks_like_pkcs12(data):
            raise CertificateError(_("Wrong password for this certificate.")) from exc
        raise CertificateError(_("This file is not an A1 certificate (PKCS#12, .pfx or .p12).")) from exc
    if key is None or certificate is None:
        raise CertificateError(_("The certificate file holds no private key and certificate."))
    loaded = SigningCertificate(key, certificate, certificate.public_bytes(Encoding.PEM).decode(), data, password)
    with _cache_lock:
        _cache[fingerprint] = loaded
    return loaded


def looks_like_pkcs12(data: bytes) -> bool:
    """DER of a PFX: SEQUENCE { INTEGER 3, ... } (RFC 7292), whatever the password."""
    if len(data) < 8 or data[0] != 0x30:
        return False
    length = data[1]
    offset = 2 + (length & 0x7F if length & 0x80 else 0)
    return data[offset : offset + 3] == b"\x02\x01\x03"


class _SefazSigner(XMLSigner):
    """signxml's signer with the default namespace set to XML-DSig (no `ds:` prefix, which SEFAZ
    refuses) and SHA-1 allowed, as the NF-e 4.00 manual still requires."""

    def __init__(self):
        super().__init__(
            method=SignatureConstructionMethod.enveloped,
            signature_algorithm=SignatureMethod.RSA_SHA1,
            digest_algorithm=DigestAlgorithm.SHA1,
            c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
        )
        self.namespaces = {None: namespaces.ds}
        # lxml's inclusive C14N of a sub-tree emits `xmlns=""` on grandchildren; SEFAZ's digest has none.
        self.excise_empty_xmlns_declarations = True

    def check_deprecated_methods(self):
        pass


def sign(root: etree._Element, reference_id: str, certificate: SigningCertificate) -> etree._Element:
    """Sign the element whose `Id` is `reference_id` inside `root`; the Signature becomes root's last child."""
    signer = _SefazSigner()
    signed = signer.sign(root, key=certificate.key, cert=[certificate.certificate], reference_uri=f"#{reference_id}")
    # The certificate's base64 without line breaks, as SEFAZ's examples show it (outside SignedInfo,
    # so the signature is unaffected).
    # signxml builds the Signature with an unqualified tag under a default-namespace declaration: it is
    # right once serialized, so parse it back for the schema (and anyone else) to see the real tree.
    signed = etree.fromstring(etree.tostring(signed))
    for node in signed.iter(f"{{{namespaces.ds}}}X509Certificate"):
        node.text = "".join(node.text.split())
    return signed
