"""The company's A1 certificate: uploaded with its password, checked (password, CNPJ, dates, key usage),
stored encrypted, shown with its expiry, and used to sign the notes and talk to SEFAZ; the NFC-e CSC."""

import base64
import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from lxml import etree

from retaguarda.core.errors import ValidationFailed
from retaguarda.core.models import AuditRecord
from retaguarda.fiscal import certificates, services, test_certificates
from retaguarda.fiscal.errors import CertificateError
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.services import DocumentIn, ItemIn
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.tests.conftest import xmlsec_verify

pytestmark = pytest.mark.django_db
DS = "{http://www.w3.org/2000/09/xmldsig#}"
PASSWORD = "S3nh@-do-A1"


def _pfx(company, *, cnpj=None, days=365, now=None, issuer=None):
    return test_certificates.generate(
        cnpj or company.cnpj, company.legal_name, PASSWORD, days=days, now=now, issuer=issuer
    )


def _raw_columns(company) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT certificate_pfx, certificate_password FROM fiscal_fiscalsettings WHERE company_id = %s",
            [company.pk],
        )
        return cursor.fetchone()


def test_an_uploaded_certificate_is_stored_encrypted_and_signs_the_notes(
    simples, fiscal_actor, make_customer, make_item_product, tmp_path
):
    actor = fiscal_actor(simples)
    data = _pfx(simples)

    settings = services.install_certificate(data, PASSWORD, actor=actor)

    assert settings.certificate_cnpj == simples.cnpj and not settings.uses_test_certificate
    assert settings.certificate_not_after > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=360)
    raw_pfx, raw_password = _raw_columns(simples)
    assert PASSWORD not in raw_password and base64.b64encode(data).decode()[:40] not in raw_pfx
    stored = FiscalSettings.objects.get(company=simples)
    assert (stored.certificate_pfx, stored.certificate_password) == (data, PASSWORD)
    audit = AuditRecord.objects.filter(action="certificate_installed").get()
    assert PASSWORD not in str(audit.changes) and audit.changes["certificate_cnpj"] == ["", simples.cnpj]

    draft = services.build_document(
        DocumentIn(recipient_id=make_customer(simples).pk, items=(ItemIn(make_item_product(simples).pk, D(1), D(9)),)),
        actor=actor,
    )
    note = services.issue_document(draft.pk, actor=actor)
    signature_cert = etree.fromstring(note.xml.encode()).findtext(f".//{DS}X509Certificate")
    assert base64.b64decode(signature_cert) == certificates.load_pkcs12(data, PASSWORD).certificate.public_bytes(
        certificates.Encoding.DER
    )
    assert xmlsec_verify(note.xml.encode(), tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong password", "Senha incorreta para este certificado."),
        ("not a pfx", "Este arquivo não é um certificado A1 (PKCS#12, .pfx ou .p12)."),
        ("expired", "Este certificado venceu em"),
        ("foreign", "Este certificado pertence ao CNPJ 11222333000181, não ao desta empresa"),
        ("empty", "Escolha o arquivo do certificado (.pfx ou .p12)."),
    ],
)
def test_a_certificate_that_cannot_sign_for_the_company_is_refused_in_portuguese(simples, fiscal_actor, case, message):
    actor = fiscal_actor(simples)
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=400)
    data, password = {
        "wrong password": (_pfx(simples), "errada"),
        "not a pfx": (b"%PDF-1.4 not a certificate at all", PASSWORD),
        "expired": (_pfx(simples, now=past), PASSWORD),
        "foreign": (_pfx(simples, cnpj="11222333000181"), PASSWORD),
        "empty": (b"", PASSWORD),
    }[case]

    with translation.override("pt-br"), pytest.raises(CertificateError) as refused:
        services.install_certificate(data, password, actor=actor)
    with translation.override("pt-br"):
        assert message in str(refused.value.message)
    settings = FiscalSettings.objects.get(company=simples)
    assert (
        settings.certificate_fingerprint == "" and settings.certificate_pfx is None and settings.uses_test_certificate
    )


def test_a_branch_certificate_of_the_same_cnpj_base_is_accepted(simples, fiscal_actor):
    branch = simples.cnpj[:8] + "0002" + "00"  # the Receita checks the base; SEFAZ too (rejection 213)
    settings = services.install_certificate(_pfx(simples, cnpj=branch), PASSWORD, actor=fiscal_actor(simples))
    assert settings.certificate_cnpj == branch


def test_an_expired_installed_certificate_stops_signing_with_a_clear_message(simples, fiscal_actor):
    actor = fiscal_actor(simples)
    services.install_certificate(_pfx(simples), PASSWORD, actor=actor)
    FiscalSettings.objects.filter(company=simples).update(
        certificate_not_after=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    )
    settings = FiscalSettings.objects.get(company=simples)
    with translation.override("pt-br"), pytest.raises(CertificateError) as refused:
        certificates.signing_certificate(simples, settings)
    with translation.override("pt-br"):
        assert "venceu em" in str(refused.value.message)


@pytest.fixture
def fiscal_web(simples, make_user):
    client = Client()
    client.force_login(make_user("fiscal", companies=[simples]))
    return client


def test_the_settings_page_uploads_shows_validity_and_warns_30_days_ahead(fiscal_web, simples):
    url = reverse("fiscal:certificate")
    refused = fiscal_web.post(url, {"certificate": _file(_pfx(simples)), "password": "errada"})
    assert refused.status_code == 422 and "Senha incorreta" in refused.content.decode()

    response = fiscal_web.post(url, {"certificate": _file(_pfx(simples, days=12)), "password": PASSWORD})
    assert response.status_code == 302

    page = fiscal_web.get(reverse("fiscal:settings")).content.decode()
    assert simples.cnpj in page and 'id="certificate-warning"' in page and "vence em 11 dias" in page
    FiscalSettings.objects.filter(company=simples).update(
        certificate_not_after=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)
    )
    assert 'id="certificate-warning"' not in fiscal_web.get(reverse("fiscal:settings")).content.decode()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("empresa.pfx", data, content_type="application/x-pkcs12")


def test_the_api_installs_a_certificate_and_answers_its_validity(simples, make_user, api_client_for):
    api = api_client_for(make_user("fiscal", companies=[simples]))
    refused = api.post("/api/v1/fiscal/certificate", {"certificate": _file(b"junk"), "password": PASSWORD})
    assert refused.status_code == 422 and refused.json()["code"] == "fiscal.certificate"

    answer = api.post("/api/v1/fiscal/certificate", {"certificate": _file(_pfx(simples)), "password": PASSWORD})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["certificate_cnpj"] == simples.cnpj and body["certificate_days_left"] >= 364
    assert "certificate_pfx" not in body and "certificate_password" not in body


def test_the_csc_is_stored_encrypted_and_signs_the_qr_code_v2(simples, fiscal_actor, make_item_product):
    actor = fiscal_actor(simples)
    with pytest.raises(ValidationFailed) as refused:
        services.set_csc("x", "short", actor=actor)
    assert {d["field"] for d in refused.value.details} == {"csc_id", "csc"}
    services.set_csc("1", "0123456789ABCDEF0123456789ABCDEF", actor=actor)
    FiscalSettings.objects.filter(company=simples).update(nfce_qr_version=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT csc FROM fiscal_fiscalsettings WHERE company_id = %s", [simples.pk])
        assert "0123456789ABCDEF" not in cursor.fetchone()[0]

    draft = services.build_document(
        DocumentIn(model=65, items=(ItemIn(make_item_product(simples).pk, D(1), D(5)),)), actor=actor
    )
    note = services.issue_document(draft.pk, actor=actor)

    assert note.state == DocumentState.QUEUED
    assert f"?p={note.key}|2|2|1|" in note.qr_code and len(note.qr_code.rpartition("|")[2]) == 40
