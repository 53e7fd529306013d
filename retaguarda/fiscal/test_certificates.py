"""Self-signed A1-like certificates for the demo and the tests: an ICP-Brasil-like subject carrying the
CNPJ, key usage digitalSignature + nonRepudiation (signxml 5 refuses a signing certificate without
digitalSignature) and valid dates. Worthless outside homologação: no CA vouches for them."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def generate(cnpj: str, legal_name: str, password: str, *, days: int = 365, now=None, issuer=None) -> bytes:
    """PKCS#12 bytes of a new 2048-bit RSA key and its certificate: self-signed, or signed by `issuer`
    (a `sefaz.pki.Authority`, the fake SEFAZ's CA, which then accepts it for mutual TLS)."""
    now = now or datetime.datetime.now(datetime.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certificado de teste Retaguarda (sem valor)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{legal_name[:40]}:{cnpj}"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.certificate.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            # ICP-Brasil puts the holder's CNPJ in an otherName (2.16.76.1.3.3), DER OCTET STRING.
            x509.SubjectAlternativeName(
                [x509.OtherName(x509.ObjectIdentifier("2.16.76.1.3.3"), bytes([0x04, len(cnpj)]) + cnpj.encode())]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH, x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=False,
        )
        .sign(issuer.key if issuer else key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        legal_name[:40].encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )
