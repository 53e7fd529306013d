"""SEFAZ's server certificate is verified against the configured chain (SEFAZ_CA_BUNDLE, the ICP-Brasil
chain in production): the fake SEFAZ on TLS with a certificate from a locally generated CA stands in for
SEFAZ, and the real client trusts it only when that CA is in the bundle."""

import io
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.core.management.base import CommandError

from retaguarda.fiscal import certificates, checks
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz import pki
from retaguarda.fiscal.sefaz.client import NfelibTransmitter
from retaguarda.fiscal.sefaz.transmitter import SefazUnavailable
from retaguarda.fiscal.services import transmission

pytestmark = pytest.mark.django_db(transaction=True)


def _client(company, fake, ca_file) -> NfelibTransmitter:
    certificate = certificates.test_certificate(company, for_fake_sefaz=True)
    return NfelibTransmitter(
        uf="SP", environment=2, pkcs12=certificate.pkcs12, password=certificate.password, ca_file=str(ca_file),
        base_url=fake.url, timeout=10,
    )  # fmt: skip


def test_the_client_trusts_sefaz_only_through_the_configured_bundle(simples, fake, tmp_path):
    stranger = pki.authority(tmp_path / "another-ca")  # a CA that did not issue the fake's certificate
    chain = tmp_path / "icp-brasil-like.pem"  # several CAs in one PEM, as the ICP-Brasil chain comes
    chain.write_bytes(stranger.ca_file.read_bytes() + fake.ca.ca_file.read_bytes())

    assert _client(simples, fake, chain).status().status_code == "107"

    with pytest.raises(SefazUnavailable, match="SEFAZ_CA_BUNDLE") as refused:
        _client(simples, fake, stranger.ca_file).status()
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert fake.state.requests == ["NFeStatusServico4"]  # the refused handshake carried no request


def test_the_official_sefaz_is_reached_with_the_bundle_and_never_without_verification(simples, settings, tmp_path):
    settings.SEFAZ_OFFICIAL = True
    settings.SEFAZ_CA_BUNDLE = str(pki.authority(tmp_path / "chain").ca_file)
    company_settings = FiscalSettings.objects.get(company=simples)

    transmitter = transmission.transmitter_for(simples, company_settings)
    assert transmitter.client.transport.session.verify == settings.SEFAZ_CA_BUNDLE

    settings.SEFAZ_CA_BUNDLE = None  # unset: the chain that ships with the product, never verify=False
    shipped = transmission.transmitter_for(simples, company_settings).client.transport.session.verify
    assert shipped == checks.shipped_bundle()


def test_the_shipped_chain_holds_the_icp_brasil_roots_that_sign_sefaz_servers():
    from cryptography import x509

    roots = {
        c.subject.rfc4514_string()
        for c in x509.load_pem_x509_certificates(Path(checks.shipped_bundle()).read_bytes())
        if c.subject == c.issuer
    }
    for version in ("v5", "v10", "v11"):
        assert any(f"CN=Autoridade Certificadora Raiz Brasileira {version}," in subject for subject in roots)
    assert checks.bundle_certificates(checks.shipped_bundle())  # the check accepts it as a bundle


def test_the_system_checks_name_a_missing_or_empty_bundle(settings, tmp_path):
    settings.SEFAZ_CA_BUNDLE = str(tmp_path / "missing.pem")
    assert [m.id for m in checks.sefaz_ca_bundle()] == ["fiscal.E001"]
    (tmp_path / "empty.pem").write_text("no certificate here")
    settings.SEFAZ_CA_BUNDLE = str(tmp_path / "empty.pem")
    assert [m.id for m in checks.sefaz_ca_bundle()] == ["fiscal.E002"]
    settings.SEFAZ_CA_BUNDLE = str(pki.authority(tmp_path / "ca").ca_file)
    assert checks.sefaz_ca_bundle() == []
    settings.SEFAZ_CA_BUNDLE = None  # the shipped chain: nothing to say
    assert checks.sefaz_ca_bundle() == []


def test_the_bundle_command_gathers_the_ca_certificates_of_a_zip_as_iti_publishes_it(tmp_path):
    root, other = pki.authority(tmp_path / "root"), pki.authority(tmp_path / "other")
    _key, server = pki.issue(root, pki._name("127.0.0.1"), server=True)  # not a CA: left out
    archive = tmp_path / "ACcompactado.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ac-raiz.crt", root.certificate.public_bytes(Encoding.DER))  # DER, as most of ITI's files
        zf.writestr("ac-outra.crt", other.certificate.public_bytes(Encoding.PEM))
        zf.writestr("ac-raiz-de-novo.cer", root.certificate.public_bytes(Encoding.PEM))
        zf.writestr("servidor.crt", server.public_bytes(Encoding.PEM))
        zf.writestr("leia-me.txt", "não é certificado")
    output = tmp_path / "bundle.pem"
    out = io.StringIO()

    call_command("sefaz_ca_bundle", str(archive), output=str(output), stdout=out)

    written = checks.bundle_certificates(str(output))
    assert {c.fingerprint(SHA256()) for c in written} == {
        root.certificate.fingerprint(SHA256()),
        other.certificate.fingerprint(SHA256()),
    }
    assert "2" in out.getvalue() and "SHA-256" in output.read_text()
    with pytest.raises(CommandError):
        call_command("sefaz_ca_bundle", str(tmp_path / "nothing-here"), output=str(output))
