"""XML-DSig the way SEFAZ wants it: enveloped, RSA-SHA1, C14N 1.0, the certificate in X509Data, and no
`ds:` prefix. The A1 certificate is loaded from its PKCS#12 bytes once (PBKDF2 costs tens of ms)."""

import base64
import datetime
import hashlib
import threading
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.utils.translation import gettext as _
from lxml import etree

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


DS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"

# The Signature of the NF-e 4.00 manual (its section 4.4 and SEFAZ's examples): one reference to the
# signed element, the enveloped-signature and C14N 1.0 transforms, SHA-1 and RSA-SHA1, the signer's
# certificate alone in KeyInfo, XML-DSig as the default namespace (SEFAZ refuses a `ds:` prefix).
_SIGNATURE = (
    f'<Signature xmlns="{DS}"><SignedInfo>'
    f'<CanonicalizationMethod Algorithm="{C14N}"/>'
    f'<SignatureMethod Algorithm="{DS}rsa-sha1"/>'
    '<Reference URI="#{reference}"><Transforms>'
    f'<Transform Algorithm="{DS}enveloped-signature"/><Transform Algorithm="{C14N}"/>'
    f'</Transforms><DigestMethod Algorithm="{DS}sha1"/><DigestValue>{{digest}}</DigestValue></Reference>'
    "</SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate>{certificate}</X509Certificate>"
    "</X509Data></KeyInfo></Signature>"
)


def _certificate_base64(certificate: SigningCertificate) -> str:
    """The certificate's DER in base64 on one line, as SEFAZ's examples show it."""
    return base64.b64encode(certificate.certificate.public_bytes(Encoding.DER)).decode()


def _c14n(element: etree._Element) -> bytes:
    """Inclusive C14N 1.0 of `element` as it stands in its document.

    Serialized and parsed on its own first: lxml's C14N of a sub-tree writes a spurious `xmlns=""` on
    the grandchildren (lxml 4.9 - 6.1), which SEFAZ's digest does not have. Standing alone, the element
    keeps its in-scope namespaces, and C14N of a whole document has no such flaw."""
    return etree.tostring(etree.fromstring(etree.tostring(element)), method="c14n")


def sign(root: etree._Element, reference_id: str, certificate: SigningCertificate) -> etree._Element:
    """Sign the element whose `Id` is `reference_id` inside `root`; the Signature becomes root's last child.

    Written here rather than through signxml: signxml serializes and parses the whole document three
    times per signature (half of the time of a 990-item note). This canonicalizes the signed element
    once, digests it, and signs the canonical SignedInfo (RSA-SHA1, PKCS#1 v1.5); xmlsec1 verifies the result in the tests, and
    the fake SEFAZ checks it with signxml's verifier.
    """
    signed_element = next((e for e in root.iter() if e.get("Id") == reference_id), None)
    if signed_element is None:
        raise ValueError(f"no element with Id {reference_id!r} to sign")
    # The signed element does not hold the Signature (it is its sibling): the enveloped-signature
    # transform removes nothing, and the digest is that of the element's canonical form.
    digest = base64.b64encode(hashlib.sha1(_c14n(signed_element)).digest()).decode()
    signature = etree.fromstring(
        _SIGNATURE.format(reference=reference_id, digest=digest, certificate=_certificate_base64(certificate))
    )
    root.append(signature)
    signed_info = signature[0]
    value = certificate.key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())
    signature[1].text = base64.b64encode(value).decode()
    return root
