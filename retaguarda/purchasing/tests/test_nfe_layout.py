"""Layout cases of a supplier's note: an NFC-e (model 65), exempted ICMS (vICMSDeson) deducted or not,
and an upload that reads each XML once."""

from decimal import Decimal

import pytest
from lxml import etree

from retaguarda.finance.models import Title
from retaguarda.parties.models import Party
from retaguarda.purchasing.demo import SAMPLE
from retaguarda.purchasing.nfe import matching, services
from retaguarda.purchasing.nfe.matching import Answer
from retaguarda.purchasing.nfe.sample import MEDICAL
from retaguarda.purchasing.nfe.services import ConfirmIn, confirm_nfe, import_preview, upload_nfe
from retaguarda.purchasing.tests.test_nfe_import import medical_buyer, new_products, warehouse_for  # noqa: F401

D = Decimal
NS = "http://www.portalfiscal.inf.br/nfe"
N = {"n": NS}


def _note(*, model: str = "55", number: int = 1687, deson: tuple[str, str | None] | None = None, net: bool = True):
    """The medical sample (3 items, R$ 5,780.00, two installments) as model `model`, numbered `number`
    (a new access key). `deson`: (vICMSDeson, indDeduzDeson or None) on item 1 (CST 40); `net`: its vNF,
    installments and payment are then net of that amount."""
    from retaguarda.core.validators import _cnpj_digit as mod11_digit

    root = etree.fromstring((SAMPLE / MEDICAL).read_bytes())  # a file shipped with nfelib, not user input
    inf = root.find("n:NFe/n:infNFe", N)
    total = D("5780.00")
    if deson is not None:
        value, flag = deson
        icms40 = inf.find("n:det/n:imposto/n:ICMS/n:ICMS40", N)
        for tag, text in (("vICMSDeson", value), ("motDesICMS", "9"), ("indDeduzDeson", flag)):
            if text is not None:
                etree.SubElement(icms40, f"{{{NS}}}{tag}").text = text
        inf.find("n:total/n:ICMSTot/n:vICMSDeson", N).text = value
        if net:
            total -= D(value)
    half = (total / 2).quantize(D("0.01"))
    for path, text in (
        ("n:total/n:ICMSTot/n:vNF", total),
        ("n:cobr/n:fat/n:vOrig", total),
        ("n:cobr/n:fat/n:vLiq", total),
        ("n:pag/n:detPag/n:vPag", total),
    ):
        inf.find(path, N).text = f"{text:.2f}"
    first, second = inf.findall("n:cobr/n:dup/n:vDup", N)
    first.text, second.text = f"{half:.2f}", f"{total - half:.2f}"
    inf.find("n:ide/n:mod", N).text = model
    inf.find("n:ide/n:nNF", N).text = str(number)
    old = inf.get("Id")[3:]
    body = old[:20] + model + old[22:25] + f"{number:09d}" + old[34:43]
    key = body + mod11_digit(body)
    inf.set("Id", f"NFe{key}")
    root.find("n:protNFe/n:infProt/n:chNFe", N).text = key
    return key, etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _enter(actor, products, warehouse, xml, name="nota.xml"):
    Party.objects.get_or_create(
        company_id=actor.company_id,
        document="75335849000115",
        defaults={"kind": "company", "legal_name": "Teste Produtos Médicos", "is_supplier": True},
    )
    (imported,) = upload_nfe([(name, xml)], actor=actor)
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    preview = import_preview(imported.pk, actor=actor, answers=answers)
    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers), actor=actor)
    return preview, receipt


def test_an_nfce_model_65_enters_like_an_nfe(medical_buyer, make_product, make_warehouse):  # noqa: F811
    actor = medical_buyer
    key, xml = _note(model="65", number=4242)
    assert key[20:22] == "65"
    preview, receipt = _enter(actor, new_products(make_product, actor, 3), warehouse_for(make_warehouse, actor), xml)
    assert preview.nfe.model == "65" and preview.ready
    assert receipt.nfe_key == key and receipt.total == D("5780.00")
    assert Title.objects.get(pk=receipt.title_id).amount == D("5780.00")


@pytest.mark.parametrize(
    ("flag", "net", "total", "first_landed"),
    [
        ("1", True, D("5481.00"), D("2191.00")),  # indDeduzDeson=1: vNF net of it, the item costs less
        ("0", False, D("5780.00"), D("2490.00")),  # indDeduzDeson=0: shown, not deducted
        (None, True, D("5481.00"), D("2191.00")),  # no indicator (before NT 2023.004): vNF net of it
        (None, False, D("5780.00"), D("2490.00")),  # no indicator, vNF gross: not deducted
    ],
)
def test_exempted_icms_enters_deducted_or_not_as_the_note_says(
    medical_buyer,  # noqa: F811
    make_product,
    make_warehouse,
    flag,
    net,
    total,
    first_landed,
):
    actor = medical_buyer
    _key, xml = _note(number=5001, deson=("299.00", flag), net=net)
    preview, receipt = _enter(actor, new_products(make_product, actor, 3), warehouse_for(make_warehouse, actor), xml)
    assert preview.problems == [] and preview.ready
    assert receipt.total == total and receipt.cost_total == total  # Simples: no credits
    assert [line.landed_total for line in receipt.lines.order_by("id")] == [first_landed, D("2490.00"), D("800.00")]
    title = Title.objects.get(pk=receipt.title_id)
    assert title.amount == total and sum(i.amount for i in title.installments.all()) == total


def test_exempted_icms_that_does_not_close_the_note_stops_it(medical_buyer, make_product, make_warehouse):  # noqa: F811
    actor = medical_buyer
    _key, xml = _note(number=5002, deson=("299.00", "1"), net=False)  # says deducted, vNF gross
    (imported,) = upload_nfe([("nota.xml", xml)], actor=actor)
    preview = import_preview(imported.pk, actor=actor)
    assert any("5780.00" in p and "5481.00" in p for p in preview.problems)


def test_an_upload_reads_each_xml_once(medical_buyer, monkeypatch):  # noqa: F811
    calls = []
    real = matching.read_nfe

    def counting(data):
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(services, "read_nfe", counting)
    monkeypatch.setattr(matching, "read_nfe", counting)
    _key, xml = _note(number=5003)
    (preview,) = services.upload_and_preview([("nota.xml", xml)], actor=medical_buyer)
    assert len(preview.lines) == 3 and len(calls) == 1
    # Another file with the same key keeps the first upload's XML: its preview reads the stored one.
    changed = xml.replace(b"<xNome>LATAM LINHAS AEREAS S/A</xNome>", b"<xNome>OUTRA TRANSPORTADORA</xNome>")
    (again,) = services.upload_and_preview([("outra.xml", changed)], actor=medical_buyer)
    assert again.nfe_import.pk == preview.nfe_import.pk and len(calls) == 3
    assert bytes(again.nfe_import.xml) == xml
