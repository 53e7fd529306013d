"""`retaguarda check --deploy` is clean with the production settings the README gives (issue 8 item 9)."""

import datetime
import os
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PRODUCTION = {
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "HSTS_SECONDS": "31536000",
    "HSTS_INCLUDE_SUBDOMAINS": "1",
    "HSTS_PRELOAD": "1",
    "SMTP_HOST": "smtp.example.com",
    "ALLOWED_HOSTS": "erp.example.com",
}


# The browser tests' fixtures set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a server never has it.
NOT_INHERITED = ("DEBUG", "SEFAZ_CA_BUNDLE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _deploy_check(tmp_path, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in (*NOT_INHERITED, *PRODUCTION)}
    return subprocess.run(
        [sys.executable, "-m", "retaguarda.config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "RETAGUARDA_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def _ca_bundle(path) -> str:
    """A CA certificate in PEM form, standing for the ICP-Brasil chain fiscal's check wants configured."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC Teste")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _deploy_check(tmp_path, {**PRODUCTION, "SEFAZ_CA_BUNDLE": _ca_bundle(tmp_path / "icp-brasil.pem")})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_names_what_a_bare_install_lacks(tmp_path):
    result = _deploy_check(tmp_path, {})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016", "mail.E001"):
        assert check in result.stderr
