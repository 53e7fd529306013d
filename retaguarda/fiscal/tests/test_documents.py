"""Fiscal documents end to end without SEFAZ: build, issue (number, key, XML, XSD, signature), archive."""

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, transaction
from lxml import etree

from retaguarda.br_tables.models import Cfop
from retaguarda.core import outbox
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.validators import _cnpj_digit
from retaguarda.fiscal import keys, services
from retaguarda.fiscal.errors import TooManyItems
from retaguarda.fiscal.models import ArchiveEntry, FiscalDocument
from retaguarda.fiscal.services import DocumentIn, InstallmentIn, ItemIn, archive
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.tests.conftest import xmlsec_verify
from retaguarda.fiscal.xml import schemas

NS = {"n": "http://www.portalfiscal.inf.br/nfe"}
pytestmark = pytest.mark.django_db(transaction=False)


def _issue(document, actor, capture):
    with capture(execute=True):
        issued = services.issue_document(document.pk, actor=actor)
    outbox.deliver_due()  # what the worker does after the commit: archive the signed XML
    return issued


def _xml(document) -> etree._Element:
    return etree.fromstring(services.signed_xml(document))


def test_a_simples_sale_is_built_as_a_draft_with_its_taxes_and_reasons(
    simples, make_customer, make_item_product, fiscal_actor
):
    actor = fiscal_actor(simples)
    customer = make_customer(simples)
    product = make_item_product(simples)

    doc = services.build_document(
        DocumentIn(recipient_id=customer.pk, items=(ItemIn(product.pk, D("2"), D("50.00")),)), actor=actor
    )

    assert doc.state == DocumentState.DRAFT and doc.number is None and doc.key == ""
    line = doc.lines.get()
    assert (line.cfop, line.gross, doc.total) == ("5102", D("100.00"), D("100.00"))
    sn = line.taxes["icms_sn"]
    assert sn["cst"] == "102" and "CSOSN 102" in sn["why"][0]


def test_a_cfop_retired_from_the_official_table_is_refused_on_a_new_note(
    simples, make_customer, make_item_product, fiscal_actor
):
    actor = fiscal_actor(simples)
    customer, product = make_customer(simples), make_item_product(simples)
    Cfop.objects.filter(code="5102").update(is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        services.build_document(
            DocumentIn(recipient_id=customer.pk, items=(ItemIn(product.pk, D("2"), D("50.00")),)), actor=actor
        )

    assert "5102" in str(refused.value) and not FiscalDocument.objects.exists()


def test_issuing_numbers_keys_validates_and_signs_the_note(
    simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks, tmp_path
):
    actor = fiscal_actor(simples)
    customer = make_customer(simples)
    items = tuple(ItemIn(make_item_product(simples).pk, D("1.5"), D("10.3333")) for _ in range(3))
    first = services.build_document(DocumentIn(recipient_id=customer.pk, items=items), actor=actor)
    second = services.build_document(DocumentIn(recipient_id=customer.pk, items=items[:1]), actor=actor)

    first = _issue(first, actor, django_capture_on_commit_callbacks)
    second = _issue(second, actor, django_capture_on_commit_callbacks)

    assert (first.number, second.number) == (1, 2)
    assert first.state == DocumentState.QUEUED
    assert keys.is_valid_key(first.key) and first.key[6:20] == simples.cnpj and first.key[20:22] == "55"
    root = _xml(first)
    assert schemas.errors(root, "nfe_v4.00.xsd") == []
    assert root.find("n:infNFe", NS).get("Id") == f"NFe{first.key}"
    assert root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None
    assert b"ds:" not in services.signed_xml(first)
    # homologação: the recipient's name is the one SEFAZ demands (rejection 598 otherwise)
    assert root.findtext("n:infNFe/n:dest/n:xNome", namespaces=NS).startswith("NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO")
    entry = ArchiveEntry.objects.get(document=first)
    assert entry.path.endswith(f"{first.key}-nfe.xml")
    assert archive.read(entry.path) == services.signed_xml(first)
    with pytest.raises(DatabaseError), transaction.atomic():  # the archive ledger is append-only
        ArchiveEntry.objects.filter(pk=entry.pk).update(path="elsewhere.xml")
    result = xmlsec_verify(services.signed_xml(first), tmp_path)
    assert result.returncode == 0, result.stderr
    tampered = services.signed_xml(first).replace(b"<vNF>", b"<vNF>1", 1)  # one digit more on the total
    assert xmlsec_verify(tampered, tmp_path).returncode != 0


def test_totals_equal_the_sum_of_the_lines_to_the_centavo(
    normal, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks
):
    actor = fiscal_actor(normal)
    customer = make_customer(normal, uf_city="3106200", cep="30130010")  # Belo Horizonte/MG, final consumer
    items = tuple(
        ItemIn(
            make_item_product(normal, ncm="85166000").pk, D("3"), D("33.3333"), discount=D("0.01"), freight=D("1.17")
        )
        for _ in range(7)
    )
    doc = _issue(
        services.build_document(DocumentIn(recipient_id=customer.pk, items=items), actor=actor),
        actor,
        django_capture_on_commit_callbacks,
    )

    root = _xml(doc)
    tot = root.find("n:infNFe/n:total/n:ICMSTot", NS)
    dets = root.findall("n:infNFe/n:det", NS)
    for total_tag, line_path in (
        ("vProd", "n:prod/n:vProd"),
        ("vICMS", ".//n:vICMS"),
        ("vPIS", ".//n:vPIS"),
        ("vCOFINS", ".//n:vCOFINS"),
        ("vFrete", "n:prod/n:vFrete"),
    ):
        assert D(tot.findtext(f"n:{total_tag}", namespaces=NS)) == sum(
            D(d.findtext(line_path, namespaces=NS)) for d in dets
        )
    ibs = root.find("n:infNFe/n:total/n:IBSCBSTot", NS)
    assert D(ibs.findtext("n:gCBS/n:vCBS", namespaces=NS)) == sum(
        D(d.findtext(".//n:gCBS/n:vCBS", namespaces=NS)) for d in dets
    )
    assert D(tot.findtext("n:vNF", namespaces=NS)) == doc.total
    assert root.findtext("n:infNFe/n:ide/n:idDest", namespaces=NS) == "2"
    assert all(d.find("n:imposto/n:IBSCBS", NS) is not None for d in dets)  # regime normal: always filled
    assert all(d.find("n:imposto/n:ICMSUFDest", NS) is not None for d in dets)  # DIFAL to MG's final consumer


def test_an_alphanumeric_cnpj_emitter_and_recipient_make_a_valid_key_and_xml(
    fiscal_company, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks, tmp_path
):
    company = fiscal_company(cnpj="12ABC34501DE35")  # the Receita Federal's example
    actor = fiscal_actor(company)
    base = "AB12CD340001"
    recipient_cnpj = base + _cnpj_digit(base) + _cnpj_digit(base + _cnpj_digit(base))
    customer = make_customer(company, document=recipient_cnpj, kind="company")
    doc = services.build_document(
        DocumentIn(recipient_id=customer.pk, items=(ItemIn(make_item_product(company).pk, D("1"), D("9.90")),)),
        actor=actor,
    )
    doc = _issue(doc, actor, django_capture_on_commit_callbacks)

    assert doc.key[6:20] == "12ABC34501DE35" and keys.is_valid_key(doc.key)
    root = _xml(doc)
    assert schemas.errors(root, "nfe_v4.00.xsd") == []
    assert root.findtext("n:infNFe/n:dest/n:CNPJ", namespaces=NS) == recipient_cnpj
    assert xmlsec_verify(services.signed_xml(doc), tmp_path).returncode == 0


def test_the_access_key_check_digit_matches_a_published_key():
    published = "35180834128745000152550010000476051695511860"  # a real note shipped with nfelib's samples
    assert keys.is_valid_key(published)
    assert not keys.is_valid_key(published[:-1] + "1")


def test_an_nfce_carries_the_qr_code_v3_and_validates(
    simples, make_item_product, fiscal_actor, django_capture_on_commit_callbacks, tmp_path
):
    actor = fiscal_actor(simples)
    doc = services.build_document(
        DocumentIn(model=65, items=(ItemIn(make_item_product(simples).pk, D("1"), D("5.00")),)), actor=actor
    )
    doc = _issue(doc, actor, django_capture_on_commit_callbacks)

    root = _xml(doc)
    assert schemas.errors(root, "nfe_v4.00.xsd") == []
    qr = root.findtext("n:infNFeSupl/n:qrCode", namespaces=NS)
    assert qr.endswith(f"?p={doc.key}|3|2")
    assert root.findtext("n:infNFe/n:det/n:prod/n:xProd", namespaces=NS).startswith(
        "NOTA FISCAL EMITIDA EM AMBIENTE DE HOMOLOGACAO"
    )
    assert root.findtext("n:infNFe/n:pag/n:detPag/n:tPag", namespaces=NS) == "01"
    result = xmlsec_verify(services.signed_xml(doc), tmp_path)
    assert result.returncode == 0, result.stderr


def test_installments_become_duplicatas(
    simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks
):
    import datetime

    actor = fiscal_actor(simples)
    doc = services.build_document(
        DocumentIn(
            recipient_id=make_customer(simples).pk,
            items=(ItemIn(make_item_product(simples).pk, D("1"), D("100.00")),),
            installments=(
                InstallmentIn(datetime.date(2027, 1, 10), D("50.00")),
                InstallmentIn(datetime.date(2027, 2, 10), D("50.00")),
            ),
        ),
        actor=actor,
    )
    root = _xml(_issue(doc, actor, django_capture_on_commit_callbacks))
    assert [d.findtext("n:nDup", namespaces=NS) for d in root.findall("n:infNFe/n:cobr/n:dup", NS)] == ["001", "002"]
    assert root.findtext("n:infNFe/n:pag/n:detPag/n:tPag", namespaces=NS) == "15"


def test_a_return_refers_to_the_original_key(
    simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks
):
    actor = fiscal_actor(simples)
    customer = make_customer(simples)
    product = make_item_product(simples)
    sale = _issue(
        services.build_document(
            DocumentIn(recipient_id=customer.pk, items=(ItemIn(product.pk, D("2"), D("10")),)), actor=actor
        ),
        actor,
        django_capture_on_commit_callbacks,
    )

    with pytest.raises(ValidationFailed):
        services.build_document(
            DocumentIn(
                recipient_id=customer.pk, operation="devolucao_venda", items=(ItemIn(product.pk, D("1"), D("10")),)
            ),
            actor=actor,
        )
    ret = services.build_document(
        DocumentIn(recipient_id=customer.pk, referenced_keys=(sale.key,), items=(ItemIn(product.pk, D("1"), D("10")),)),
        actor=actor,
    )
    root = _xml(_issue(ret, actor, django_capture_on_commit_callbacks))
    assert root.findtext("n:infNFe/n:ide/n:NFref/n:refNFe", namespaces=NS) == sale.key
    assert (
        root.findtext("n:infNFe/n:ide/n:finNFe", namespaces=NS),
        root.findtext("n:infNFe/n:ide/n:tpNF", namespaces=NS),
    ) == ("4", "0")
    assert root.findtext("n:infNFe/n:det/n:prod/n:CFOP", namespaces=NS) == "1202"


def test_a_note_holds_at_most_990_items(simples, make_customer, make_item_product, fiscal_actor):
    actor = fiscal_actor(simples)
    product = make_item_product(simples)
    with pytest.raises(TooManyItems):
        services.build_document(
            DocumentIn(recipient_id=make_customer(simples).pk, items=(ItemIn(product.pk, D("1"), D("1")),) * 991),
            actor=actor,
        )
    assert not FiscalDocument.objects.exists()


def test_another_companys_recipient_is_not_found(
    simples, fiscal_company, make_customer, make_item_product, fiscal_actor
):
    other = fiscal_company()
    with pytest.raises(ValidationFailed) as refused:
        services.build_document(
            DocumentIn(
                recipient_id=make_customer(other).pk, items=(ItemIn(make_item_product(simples).pk, D("1"), D("1")),)
            ),
            actor=fiscal_actor(simples),
        )
    assert (refused.value.status, refused.value.details[0]["field"]) == (404, "recipient_id")


def test_bad_items_list_every_problem_and_save_nothing(simples, make_customer, make_item_product, fiscal_actor):
    with pytest.raises(ValidationFailed) as err:
        services.build_document(
            DocumentIn(
                recipient_id=make_customer(simples).pk,
                items=(ItemIn(make_item_product(simples).pk, D("0"), D("-1")), ItemIn(999999, D("1"), D("1"))),
            ),
            actor=fiscal_actor(simples),
        )
    fields = {d["field"] for d in err.value.details}
    assert {"items.1.quantity", "items.1.unit_price"} <= fields
    assert not FiscalDocument.objects.exists()
