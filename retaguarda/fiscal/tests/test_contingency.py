"""Contingency against the fake SEFAZ over TLS: in by hand and out again, NF-e through the state's SVC
(tpEmis 6/7 with dhCont and xJust), in automatically after SEFAZ failed in a row, NFC-e issued offline
(tpEmis 9) and sent once SEFAZ answers again; the watch rule for the offline deadline."""

import base64
import hashlib
from datetime import timedelta
from decimal import Decimal as D

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.utils import timezone
from lxml import etree
from nfelib.nfe.client.v4_0.servers import Endpoint, servers

from retaguarda.core.errors import ValidationFailed
from retaguarda.fiscal import certificates, rules, services, tasks
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings, SefazExchange
from retaguarda.fiscal.sefaz import contingency
from retaguarda.fiscal.sefaz.transmitter import SefazUnavailable
from retaguarda.fiscal.services import DocumentIn, ItemIn, transmission
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.xml import schemas
from retaguarda.fiscal.xml.formats import BRASILIA

NS = {"n": "http://www.portalfiscal.inf.br/nfe"}
pytestmark = pytest.mark.django_db(transaction=True)
REASON = "SEFAZ-SP fora do ar desde as 10h, sem previsão"


def _issue(company, actor, customer, product, model=55):
    data = DocumentIn(
        model=model, recipient_id=customer.pk if model == 55 else None, items=(ItemIn(product.pk, D(1), D(30)),)
    )
    return services.issue_document(services.build_document(data, actor=actor).pk, actor=actor)


def test_by_hand_nfe_go_through_the_svc_until_the_contingency_ends(
    at_fake, fiscal_actor, make_customer, make_item_product
):
    company = at_fake()
    actor = fiscal_actor(company)
    customer, product = make_customer(company), make_item_product(company)
    with pytest.raises(ValidationFailed):
        services.enter_contingency("caiu", actor=actor)

    services.enter_contingency(REASON, actor=actor)
    note = _issue(company, actor, customer, product)

    assert note.emission_type == contingency.SVC_AN and note.key[34] == "6"  # São Paulo uses SVC-AN
    ide = etree.fromstring(note.xml.encode()).find("n:infNFe/n:ide", NS)
    assert (ide.findtext("n:tpEmis", namespaces=NS), ide.findtext("n:xJust", namespaces=NS)) == ("6", REASON)
    assert (
        ide.findtext("n:dhCont", namespaces=NS)
        and schemas.errors(etree.fromstring(note.xml.encode()), "nfe_v4.00.xsd") == []
    )
    assert services.transmit(note.pk).state == DocumentState.AUTHORIZED

    services.leave_contingency(actor=actor)
    after = _issue(company, actor, customer, product)
    assert after.emission_type == contingency.NORMAL and after.contingency_reason == "" and after.key[34] == "1"


def test_the_svc_of_each_state_is_the_one_the_ato_cotepe_names(fiscal_company, settings):
    settings.SEFAZ_OFFICIAL = True
    assert contingency.emission_type(55, "BA", in_contingency=True) == contingency.SVC_RS
    assert contingency.emission_type(55, "SP", in_contingency=True) == contingency.SVC_AN
    assert contingency.emission_type(65, "SP", in_contingency=True) == contingency.NFCE_OFFLINE
    company = fiscal_company()
    transmitter = transmission.transmitter_for(company, FiscalSettings.objects.get(company=company), contingency.SVC_RS)
    assert (
        transmitter.client._get_location(Endpoint.NFEAUTORIZACAO)
        == servers["SVC-RS"]["dev_endpoints"][Endpoint.NFEAUTORIZACAO]
    )


def test_after_failures_in_a_row_nfce_are_issued_offline_and_sent_when_sefaz_is_back(
    at_fake, fake, fiscal_actor, make_customer, make_item_product, settings
):
    settings.FISCAL_CONTINGENCY_AFTER = 2
    company = at_fake()
    actor = fiscal_actor(company)
    product = make_item_product(company)
    waiting = _issue(company, actor, make_customer(company), product)
    fake.state.script.out_of_service = "108"

    for _attempt in range(2):
        with pytest.raises(SefazUnavailable):
            services.transmit(waiting.pk)

    fiscal = FiscalSettings.objects.get(company=company)
    assert fiscal.contingency and "2" in fiscal.contingency_reason and fiscal.contingency_since
    offline = _issue(company, actor, None, product, model=65)
    assert offline.emission_type == contingency.NFCE_OFFLINE and offline.key[34] == "9"
    payload, _bar, signature = offline.qr_code.partition("?p=")[2].rpartition("|")
    assert payload == f"{offline.key}|3|2|{offline.issued_at.astimezone(BRASILIA).day:02d}|30.00||"
    certificate = certificates.test_certificate(company, for_fake_sefaz=True)
    certificate.certificate.public_key().verify(  # signed with the emitter's key, as NT 2025.001 asks
        base64.b64decode(signature), payload.encode(), padding.PKCS1v15(), hashes.SHA1()
    )
    with pytest.raises(SefazUnavailable):
        services.transmit(offline.pk)

    fake.state.script.out_of_service = None
    assert services.transmit(offline.pk).state == DocumentState.AUTHORIZED
    assert services.transmit(waiting.pk).state == DocumentState.AUTHORIZED  # it kept its normal emission
    assert FiscalSettings.objects.get(company=company).sefaz_failures == 0


def test_an_offline_nfce_where_the_state_is_on_qr_code_v2_carries_the_digest_and_the_csc_hash(
    at_fake, fake, fiscal_actor, make_item_product
):
    company = at_fake()
    actor = fiscal_actor(company)
    services.set_csc("000001", "0123456789ABCDEF0123456789ABCDEF", actor=actor)
    FiscalSettings.objects.filter(company=company).update(nfce_qr_version=2)
    services.enter_contingency(REASON, actor=actor)

    offline = _issue(company, actor, None, make_item_product(company), model=65)

    root = etree.fromstring(offline.xml.encode())
    assert schemas.errors(root, "nfe_v4.00.xsd") == []  # the XSD's own pattern for the v2 offline form
    payload, _bar, digest = offline.qr_code.partition("?p=")[2].rpartition("|")
    digest_value = root.findtext(".//{http://www.w3.org/2000/09/xmldsig#}DigestValue")
    day = offline.issued_at.astimezone(BRASILIA).day
    assert payload == f"{offline.key}|2|2|{day:02d}|30.00|{digest_value.encode().hex()}|1"
    assert digest == hashlib.sha1((payload + "0123456789ABCDEF0123456789ABCDEF").encode()).hexdigest().upper()
    assert root.findtext("n:infNFeSupl/n:qrCode", namespaces=NS) == offline.qr_code
    services.leave_contingency(actor=actor)
    assert services.transmit(offline.pk).state == DocumentState.AUTHORIZED


def test_an_automatic_contingency_ends_by_itself_when_the_state_answers_and_a_manual_one_does_not(
    at_fake, fake, fiscal_actor, make_customer, make_item_product, settings
):
    settings.FISCAL_CONTINGENCY_AFTER = 2
    company = at_fake()
    actor = fiscal_actor(company)
    waiting = _issue(company, actor, make_customer(company), make_item_product(company))
    fake.state.script.out_of_service = "108"
    for _attempt in range(2):
        with pytest.raises(SefazUnavailable):
            services.transmit(waiting.pk)
    assert FiscalSettings.objects.get(company=company).contingency_automatic

    assert tasks.probe_contingencies.call() == []  # still 108: it stays
    fake.state.script.out_of_service = None
    assert tasks.probe_contingencies.call() == [company.pk]

    back = FiscalSettings.objects.get(company=company)
    assert not back.contingency and not back.contingency_automatic and back.contingency_reason == ""
    assert fake.state.requests.count("NFeStatusServico4") == 2
    assert SefazExchange.objects.filter(company=company, service="NFeStatusServico4", status_code="107").exists()

    services.enter_contingency(REASON, actor=actor)  # by hand: whoever entered it ends it
    assert tasks.probe_contingencies.call() == []
    assert FiscalSettings.objects.get(company=company).contingency


def test_an_offline_nfce_near_its_deadline_is_watched(at_fake, fake, fiscal_actor, make_item_product):
    company = at_fake()
    actor = fiscal_actor(company)
    services.enter_contingency(REASON, actor=actor)
    offline = _issue(company, actor, None, make_item_product(company), model=65)
    assert rules.offline_deadline(company.pk, {"hours": 6}) == []

    FiscalDocument.objects.filter(pk=offline.pk).update(issued_at=timezone.now() - timedelta(hours=20))
    [finding] = rules.offline_deadline(company.pk, {"hours": 6})
    assert finding.subject_id == offline.pk and finding.figures["hours"].value == 3

    services.transmit(offline.pk)
    assert rules.offline_deadline(company.pk, {"hours": 6}) == []


def test_the_api_switches_contingency(simples, make_user, api_client_for):
    api = api_client_for(make_user("fiscal", companies=[simples]))
    refused = api.post("/api/v1/fiscal/contingency", {"on": True, "reason": "curto"}, content_type="application/json")
    assert refused.status_code == 422
    on = api.post("/api/v1/fiscal/contingency", {"on": True, "reason": REASON}, content_type="application/json")
    assert on.status_code == 200 and on.json()["contingency"] and on.json()["contingency_reason"] == REASON
    off = api.post("/api/v1/fiscal/contingency", {"on": False}, content_type="application/json")
    assert off.status_code == 200 and not off.json()["contingency"]
