"""NFC-e QR code (`infNFeSupl`): version 3 (NT 2025.001, no CSC) by default, signed with the emitter's key
for a note issued offline; version 2 (SHA-1 over the CSC) where the state still asks for it. The consultation URLs per state and environment are data
(nfelib's table, corrected where it is wrong)."""

import base64
import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils.translation import gettext as _
from lxml import etree
from nfelib.nfe.client.v4_0.servers_nfce import ESTADO_CONSULTA_NFCE, ESTADO_QRCODE

from retaguarda.fiscal.errors import CertificateError

NFE_NS = "http://www.portalfiscal.inf.br/nfe"
# nfelib 3.2.0 misspells São Paulo's production consultation host ("ww.").
CONSULTATION_FIXES = {("SP", 1): "www.nfce.fazenda.sp.gov.br/consulta"}


def qr_base(uf: str, environment: int) -> str:
    return "https://" + ESTADO_QRCODE[uf][str(environment)]


def consultation_url(uf: str, environment: int) -> str:
    return "https://" + CONSULTATION_FIXES.get((uf, environment), ESTADO_CONSULTA_NFCE[uf][environment - 1])


def qr_code(key: str, uf: str, environment: int, *, version: int = 3, csc_id: str = "", csc: str = "") -> str:
    """The QR code text of an NFC-e issued online."""
    if version == 3:
        return f"{qr_base(uf, environment)}{key}|3|{environment}"
    if not (csc_id and csc):
        raise CertificateError(_("The NFC-e QR code version 2 needs the CSC and its id, given by SEFAZ."))
    token = str(int(csc_id))
    payload = f"{key}|2|{environment}|{token}"
    digest = hashlib.sha1((payload + csc).encode()).hexdigest().upper()
    return f"{qr_base(uf, environment)}{payload}|{digest}"


def offline_qr_code_v2(
    key: str, uf: str, environment: int, *, day: int, total, digest_value: str, csc_id: str, csc: str
) -> str:
    """The QR code version 2 of an NFC-e issued offline (tpEmis 9, NT 2016.002), for the states still on
    version 2: the issue day, the total and the signature's DigestValue (its base64 text in hexadecimal)
    travel in it, with the CSC's SHA-1 over them. Written after signing: it needs the digest."""
    if not (csc_id and csc):
        raise CertificateError(_("The NFC-e QR code version 2 needs the CSC and its id, given by SEFAZ."))
    digest_hex = digest_value.encode().hex()
    payload = f"{key}|2|{environment}|{day:02d}|{total:.2f}|{digest_hex}|{int(csc_id)}"
    digest = hashlib.sha1((payload + csc).encode()).hexdigest().upper()
    return f"{qr_base(uf, environment)}{payload}|{digest}"


def offline_qr_code(
    key: str, uf: str, environment: int, *, day: int, total, recipient_document: str, private_key
) -> str:
    """The QR code version 3 of an NFC-e issued offline (tpEmis 9, NT 2025.001): the issue day, the
    total and the buyer's CPF/CNPJ travel in it, signed (RSA-SHA1, base64) with the emitter's key,
    since SEFAZ has not seen the note yet."""
    kind = ("1" if len(recipient_document) == 14 else "2") if recipient_document else ""
    payload = f"{key}|3|{environment}|{day:02d}|{total:.2f}|{kind}|{recipient_document}"
    signature = private_key.sign(payload.encode(), padding.PKCS1v15(), hashes.SHA1())
    return f"{qr_base(uf, environment)}{payload}|{base64.b64encode(signature).decode()}"


def add_supplement(nfe: etree._Element, qr: str, url: str) -> None:
    """`infNFeSupl` right after `infNFe`, before the signature is added."""
    supl = etree.Element(f"{{{NFE_NS}}}infNFeSupl")
    etree.SubElement(supl, f"{{{NFE_NS}}}qrCode").text = qr
    etree.SubElement(supl, f"{{{NFE_NS}}}urlChave").text = url
    nfe.insert(1, supl)
