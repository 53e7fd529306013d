"""Talking to SEFAZ, over real TLS (mutual, CA-verified) with the local fake: authorize, reject and fix,
deny, cancel, correct, void, query, lost answers, racing workers, alphanumeric CNPJ."""

import threading
from decimal import Decimal as D

import pytest
from django.db import close_old_connections
from lxml import etree

from retaguarda.core import outbox
from retaguarda.core.models import OutboxEvent
from retaguarda.fiscal import certificates, services
from retaguarda.fiscal.models import FiscalEvent, SefazExchange
from retaguarda.fiscal.sefaz import events as sefaz_events
from retaguarda.fiscal.sefaz.transmitter import SefazUnavailable
from retaguarda.fiscal.services import DocumentIn, ItemIn, transmission
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.tests.conftest import xmlsec_verify
from retaguarda.fiscal.xml import schemas

NS = {"n": "http://www.portalfiscal.inf.br/nfe"}
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(make_customer, make_item_product, fiscal_actor):
    def make(company, items=1):
        actor = fiscal_actor(company)
        customer = make_customer(company)
        lines = tuple(ItemIn(make_item_product(company).pk, D("1"), D("25.00")) for _ in range(items))
        draft = services.build_document(DocumentIn(recipient_id=customer.pk, items=lines), actor=actor)
        return services.issue_document(draft.pk, actor=actor), actor

    return make


def test_a_queued_note_is_authorized_and_kept_as_nfeproc(at_fake, queued, fake):
    document, _actor = queued(at_fake())

    document = services.transmit(document.pk)

    assert document.state == DocumentState.AUTHORIZED and document.status_code == "100" and document.protocol
    proc = etree.fromstring(document.xml.encode())
    assert proc.tag.endswith("nfeProc") and schemas.errors(proc, "procNFe_v4.00.xsd") == []
    assert proc.findtext("n:protNFe/n:infProt/n:nProt", namespaces=NS) == document.protocol
    exchange = SefazExchange.objects.get(document=document)
    assert (exchange.service, exchange.status_code) == ("NFeAutorizacao4", "100") and "<enviNFe" in exchange.request
    event = OutboxEvent.objects.get(type=transmission.AUTHORIZED_EVENT)
    assert event.payload["key"] == document.key and event.payload["document_id"] == document.pk


def test_an_uploaded_a1_certificate_signs_and_opens_the_mutual_tls(at_fake, queued, fake, fiscal_actor):
    from retaguarda.fiscal import test_certificates

    company = at_fake()
    pfx = test_certificates.generate(company.cnpj, company.legal_name, "s3nha", issuer=fake.ca)
    services.install_certificate(pfx, "s3nha", actor=fiscal_actor(company))
    document, _actor = queued(company)

    document = services.transmit(document.pk)

    assert document.state == DocumentState.AUTHORIZED and document.protocol


def test_a_batch_is_sent_asynchronously_and_each_note_gets_its_protocol_from_the_receipt(at_fake, queued, fake):
    company = at_fake()
    notes = [queued(company)[0] for _ in range(3)]

    ended = services.transmit_batch([n.pk for n in notes])

    assert sorted(d.state for d in ended) == [DocumentState.AUTHORIZED] * 3
    for note in notes:
        note.refresh_from_db()
        assert note.receipt and etree.fromstring(note.xml.encode()).tag.endswith("nfeProc")
        [own] = SefazExchange.objects.filter(document=note)
        assert (own.service, own.status_code) == ("NFeRetAutorizacao4", "100") and note.key in own.response
    batch = SefazExchange.objects.get(document=None, service="NFeAutorizacao4")
    assert batch.status_code == "103" and "<indSinc>0</indSinc>" in batch.request
    assert services.transmit_batch([n.pk for n in notes]) == []  # answered notes are left alone


def test_the_outbox_transmits_a_queued_note(at_fake, queued):
    document, _actor = queued(at_fake())
    outbox.deliver_due()
    document.refresh_from_db()
    assert document.state == DocumentState.AUTHORIZED


def test_a_rejection_goes_back_to_draft_and_the_fixed_note_is_authorized_with_the_same_number(at_fake, queued, fake):
    document, actor = queued(at_fake())
    fake.state.script.reject = ("778", "Rejeição: Informado NCM inexistente")

    rejected = services.transmit(document.pk)
    assert (rejected.state, rejected.status_code) == (DocumentState.REJECTED, "778")
    assert "NCM inexistente" in rejected.status_message

    fake.state.script.reject = None
    services.reopen_document(document.pk, actor=actor)
    again = services.issue_document(document.pk, actor=actor)
    authorized = services.transmit(again.pk)
    assert authorized.state == DocumentState.AUTHORIZED and authorized.number == rejected.number


def test_a_denial_ends_the_note_denied(at_fake, queued, fake):
    document, _actor = queued(at_fake())
    fake.state.script.deny = True
    denied = services.transmit(document.pk)
    assert (denied.state, denied.status_code) == (DocumentState.DENIED, "301")
    assert transmission.hint_for("301")


def test_a_lost_answer_is_settled_by_a_query_and_the_note_is_sent_once(at_fake, queued, fake):
    document, _actor = queued(at_fake())
    fake.state.script.drop_after_commit = 1  # SEFAZ authorizes, then the connection dies

    with pytest.raises(SefazUnavailable):
        services.transmit(document.pk)
    document.refresh_from_db()
    assert document.state == DocumentState.SENT

    settled = services.transmit(document.pk)

    assert settled.state == DocumentState.AUTHORIZED and settled.protocol == fake.state.notes[document.key].protocol
    assert fake.state.requests.count("NFeAutorizacao4") == 1  # never sent twice
    assert fake.state.requests[-1] == "NFeConsultaProtocolo4"


def test_a_duplicate_answer_recovers_the_existing_protocol(at_fake, queued, fake):
    document, _actor = queued(at_fake())
    transmitter = transmission.transmitter_for(document.company, document.company.fiscal_settings)
    first = transmitter.authorize(document.xml.encode())  # authorized behind our back
    assert first.status_code == "100"

    settled = services.transmit(document.pk)

    assert settled.state == DocumentState.AUTHORIZED and settled.protocol == first.protocol
    assert [e.status_code for e in SefazExchange.objects.filter(document=document)] == ["204", "100"]


def test_two_workers_racing_for_one_queued_note_send_it_once(at_fake, queued, fake):
    document, _actor = queued(at_fake())
    errors = []

    def worker():
        try:
            services.transmit(document.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert fake.state.requests.count("NFeAutorizacao4") == 1
    document.refresh_from_db()
    assert document.state == DocumentState.AUTHORIZED


def test_out_of_service_keeps_the_note_for_a_later_attempt(at_fake, queued, fake):
    document, _actor = queued(at_fake())
    fake.state.script.out_of_service = "108"
    with pytest.raises(SefazUnavailable):
        services.transmit(document.pk)
    fake.state.script.out_of_service = None
    assert services.transmit(document.pk).state == DocumentState.AUTHORIZED


def test_cancel_and_correct_twice_then_query(at_fake, queued, fake, monkeypatch, tmp_path):
    document, actor = queued(at_fake())
    services.transmit(document.pk)

    first = services.correct_document(document.pk, actor=actor, text="Endereço de entrega: Rua das Flores, 10, fundos")
    second = services.correct_document(
        document.pk, actor=actor, text="Transportadora: Rápido Paulista Ltda, placa ABC1D23"
    )
    assert (first.sequence, second.sequence) == (1, 2) and second.protocol
    dacce = _uncompressed_dacce(second, monkeypatch)
    assert dacce.startswith(b"%PDF") and b"Paulista" in dacce and second.protocol.encode() in dacce
    cancelled = services.cancel_document(
        document.pk, actor=actor, reason="Pedido cancelado pelo cliente antes do envio"
    )

    assert cancelled.state == DocumentState.CANCELLED
    assert FiscalEvent.objects.filter(document=document).count() == 3
    for event in FiscalEvent.objects.filter(document=document):  # each event's signature, checked by xmlsec1
        result = xmlsec_verify(event.xml.encode(), tmp_path, "infEvento")
        assert result.returncode == 0, result.stderr
    assert OutboxEvent.objects.filter(type=transmission.CANCELLED_EVENT, payload__document_id=document.pk).exists()
    transmitter = transmission.transmitter_for(cancelled.company, cancelled.company.fiscal_settings)
    assert transmitter.query(document.key).status_code == "101"
    with pytest.raises(transmission.SefazRejected):
        services.correct_document(document.pk, actor=actor, text="Depois de cancelada não se corrige mais")


def _uncompressed_dacce(event, monkeypatch) -> bytes:
    """The DACCe with its text streams left readable, to see what it says."""
    from brazilfiscalreport.dacce import DaCCe

    from retaguarda.fiscal import danfe

    class Plain(DaCCe):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.set_compression(False)

    monkeypatch.setattr(danfe, "DaCCe", Plain)
    return danfe.render_correction(event)


def test_void_a_range_of_numbers(at_fake, fiscal_actor, fake, tmp_path):
    company = at_fake()
    voiding = services.void_numbers(
        actor=fiscal_actor(company),
        model=55,
        series=1,
        first=10,
        last=12,
        reason="Números pulados por falha no sistema",
    )
    assert voiding.protocol and (voiding.first, voiding.last) == (10, 12)
    assert fake.state.voided == [(company.cnpj, "55", "1", 10, 12)]
    result = xmlsec_verify(voiding.xml.encode(), tmp_path, "infInut")
    assert result.returncode == 0, result.stderr


def test_an_alphanumeric_cnpj_emitter_is_authorized_cancelled_and_corrected(at_fake, queued, fake):
    company = at_fake(cnpj="12ABC34501DE35")
    document, actor = queued(company)
    assert services.transmit(document.pk).state == DocumentState.AUTHORIZED
    services.correct_document(document.pk, actor=actor, text="Complemento do endereço do destinatário: sala 2")
    assert services.cancel_document(document.pk, actor=actor, reason="Emitida em duplicidade por engano").state == (
        DocumentState.CANCELLED
    )


def test_the_event_schema_patch_accepts_alphanumeric_keys_and_nfelib_does_not(tmp_path, settings, fiscal_company):
    company = fiscal_company(cnpj="12ABC34501DE35")
    certificate = certificates.test_certificate(company)
    key = "3526121" + "2ABC34501DE35" + "550010000000011123456780"
    key = key[:43] + __import__("retaguarda.fiscal.keys", fromlist=["mod11_digit"]).mod11_digit(key[:43])
    event = sefaz_events.build(
        event_type=sefaz_events.CORRECTION, key=key, cnpj=company.cnpj, environment=2, sequence=1,
        moment=__import__("django.utils.timezone", fromlist=["now"]).now(), details={"text": "Correção do endereço de entrega"},
    )  # fmt: skip
    from retaguarda.fiscal.xml import signing

    signed = signing.sign(event, event.find("{http://www.portalfiscal.inf.br/nfe}infEvento").get("Id"), certificate)
    assert sefaz_events.event_errors(signed) == []
    original = sefaz_events.NFELIB / "nfe_evento_cce" / "schemas" / "v1_0"
    assert schemas.errors(signed, "CCe_v1.00.xsd", original) != []  # nfelib's own copy still refuses it
