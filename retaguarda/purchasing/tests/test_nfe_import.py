"""Supplier NF-e imports: the real samples enter to the centavo; bad files are refused in Portuguese."""

import io
import zipfile
from decimal import Decimal

import pytest

from retaguarda.companies.models import TaxRegime
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.xml_safe import XmlRejected
from retaguarda.finance.models import Title
from retaguarda.inventory.models import ProductCost, StockMove
from retaguarda.parties.models import Party
from retaguarda.purchasing import services
from retaguarda.purchasing.demo import SAMPLE
from retaguarda.purchasing.errors import NfeAlreadyImported, NfeRejected
from retaguarda.purchasing.models import NfeImport, Receipt, SupplierProduct
from retaguarda.purchasing.nfe.matching import Answer
from retaguarda.purchasing.nfe.services import ConfirmIn, confirm_nfe, import_preview, upload_nfe
from retaguarda.purchasing.services import OrderIn, OrderLineIn
from retaguarda.purchasing.states import OrderState

D = Decimal
SAMPLES = SAMPLE  # nfelib's own sample notes, installed with it
MEDICAL = "26180875335849000115550010000016871192213331-nfe.xml"  # 3 items, 2 dup, to 37148260000119
MEDICAL_KEY = "26180875335849000115550010000016871192213331"
TOYS = "35180834128745000152550010000476051695511860-nfe.xml"  # 4 items with ST, no dup, to 57647232000153
REFORM = "nfe_reforma_tributaria.xml"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def medical_buyer(make_company, make_user):
    company = make_company(cnpj="37148260000119")
    user = make_user("purchasing", companies=[company])
    from retaguarda.core.actor import Actor, Origin

    return Actor(user, Origin.WEB, company.pk)


def buyer_for(make_company, make_user, cnpj, **fields):
    from retaguarda.core.actor import Actor, Origin

    company = make_company(cnpj=cnpj, **fields)
    return Actor(make_user("purchasing", companies=[company]), Origin.WEB, company.pk)


def new_products(make_product, actor, n, **extra):
    from retaguarda.companies.models import Company

    company = Company.objects.get(pk=actor.company_id)
    return [make_product(company=company, **extra) for _ in range(n)]


def warehouse_for(make_warehouse, actor):
    from retaguarda.companies.models import Company

    return make_warehouse(company=Company.objects.get(pk=actor.company_id))


def test_the_medical_sample_enters_with_its_installments_and_the_supplier_created(
    medical_buyer, make_product, make_warehouse
):
    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    (imported,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    preview = import_preview(imported.pk, actor=actor)
    assert preview.supplier is None and not preview.ready
    assert [line.product for line in preview.lines] == [None, None, None]

    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)

    assert receipt.total == D("5780.00") and receipt.nfe_key == MEDICAL_KEY
    assert Party.objects.get(pk=receipt.supplier_id).document == "75335849000115"
    assert [line.stock_quantity for line in receipt.lines.order_by("id")] == [D("1"), D("1"), D("4")]
    assert [line.cfop for line in receipt.lines.all()] == ["2102"] * 3  # 6102 enters as 2102
    title = Title.objects.get(pk=receipt.title_id)
    assert [(str(i.due_date), i.amount) for i in title.installments.order_by("due_date")] == [
        ("2018-09-25", D("2890.00")),
        ("2018-11-04", D("2890.00")),
    ]
    assert ProductCost.objects.get(product=products[2]).average_cost == D("200")
    assert NfeImport.objects.get(pk=imported.pk).receipt_id == receipt.pk


def test_the_toys_sample_matches_by_gtin_and_keeps_credits_out_of_cost_in_the_regime_normal(
    make_company, make_user, make_product, make_warehouse
):
    actor = buyer_for(make_company, make_user, "57647232000153", tax_regime=TaxRegime.NORMAL)
    warehouse = warehouse_for(make_warehouse, actor)
    gtins = ["7897846900952", "7897846900969", "7897846900976", "7897846901232"]
    products = [new_products(make_product, actor, 1, gtin=g)[0] for g in gtins]
    (imported,) = upload_nfe([(TOYS, sample(TOYS))], actor=actor)
    preview = import_preview(imported.pk, actor=actor)
    assert [line.matched_by for line in preview.lines] == ["gtin"] * 4

    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, {}, create_supplier=True), actor=actor)

    assert receipt.total == D("610.37")  # vNF: products 513.60 + ICMS-ST 96.77
    assert receipt.icms_st_total == D("96.77")
    credits = sum(line.icms_credit + line.pis_credit + line.cofins_credit for line in receipt.lines.all())
    assert (
        receipt.credits_total
        == credits
        == D("18.49") * 3 + D("6.16") + (D("1.00") * 3 + D("0.33")) + (D("4.62") * 3 + D("1.54"))
    )
    assert receipt.cost_total == receipt.total - receipt.credits_total
    title = Title.objects.get(pk=receipt.title_id)
    assert title.amount == D("610.37")  # no dup: one installment on the invoice date (no terms)
    assert StockMove.objects.filter(source_type=Receipt.SOURCE, source_id=receipt.pk).count() == 4
    assert set(SupplierProduct.objects.values_list("product_id", flat=True)) == {p.pk for p in products}


def test_a_second_import_of_the_same_key_is_refused(medical_buyer, make_product, make_warehouse):
    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    (first,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    (again,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    assert again.pk == first.pk  # still awaiting confirmation: the same import
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    confirm_nfe(first.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)

    with pytest.raises(NfeAlreadyImported):
        upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    with pytest.raises(NfeAlreadyImported):
        confirm_nfe(first.pk, ConfirmIn(warehouse.pk, answers), actor=actor)
    assert Receipt.objects.count() == 1


def test_the_next_note_of_the_supplier_matches_the_remembered_items_alone(medical_buyer, make_product, make_warehouse):
    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    (first,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    answers = {1: Answer(products[0].pk), 2: Answer(products[1].pk), 3: Answer(products[2].pk, factor=D("6"))}
    confirm_nfe(first.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)

    other_key = MEDICAL_KEY[:-10] + "0000000019"
    (second,) = upload_nfe(
        [("outra.xml", sample(MEDICAL).replace(MEDICAL_KEY.encode(), other_key.encode()))], actor=actor
    )
    preview = import_preview(second.pk, actor=actor)
    assert [line.matched_by for line in preview.lines] == ["memory"] * 3
    assert [line.product.pk for line in preview.lines] == [p.pk for p in products]
    assert preview.lines[2].factor == D("6") and preview.lines[2].stock_quantity == D("24")
    assert preview.ready


def test_an_open_order_is_matched_and_received_by_the_note(medical_buyer, make_product, make_warehouse):
    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    supplier = Party.objects.create(
        company_id=actor.company_id, kind="company", document="75335849000115", legal_name="Teste", is_supplier=True
    )
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(products[2].pk, D("4"), D("190"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    (imported,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    preview = import_preview(imported.pk, actor=actor, answers=answers)
    line = preview.lines[2]
    assert line.order_line.order_id == order.pk
    assert line.price_difference == D("10")  # R$ 200 billed, R$ 190 ordered

    confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers), actor=actor)
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED


def test_a_note_whose_items_do_not_add_up_to_its_totals_is_not_entered(
    make_company, make_user, make_product, make_warehouse
):
    actor = buyer_for(make_company, make_user, "00127912000129")
    warehouse = warehouse_for(make_warehouse, actor)
    (product,) = new_products(make_product, actor, 1)
    (imported,) = upload_nfe([(REFORM, sample(REFORM))], actor=actor)
    preview = import_preview(imported.pk, actor=actor)
    assert any("não fecham" in p or "do not add up" in p for p in preview.problems)
    with pytest.raises(ValidationFailed):
        confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, {1: Answer(product.pk)}, create_supplier=True), actor=actor)
    assert not Receipt.objects.exists() and not Party.objects.filter(document="00127786000102").exists()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("nota.pdf", b"%PDF-1.4 not xml", XmlRejected),
        ("outro.xml", b"<?xml version='1.0'?><pedido><item/></pedido>", NfeRejected),
        (
            "dtd.xml",
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
            XmlRejected,
        ),
        ("bomba.zip", _zip({"a.xml": b" " * (11 * 1024 * 1024)}), NfeRejected),
    ],
)
def test_bad_files_are_refused_in_portuguese_and_nothing_is_saved(medical_buyer, name, data, error):
    with pytest.raises(ValidationFailed) as err:
        upload_nfe([(name, data)], actor=medical_buyer)
    assert isinstance(err.value, NfeRejected) or error is XmlRejected
    assert name in str(err.value.details) or name == "bomba.zip"
    assert not NfeImport.objects.exists()


def test_a_note_failing_the_schema_or_for_another_recipient_is_refused(medical_buyer):
    broken = sample(MEDICAL).replace(b"<natOp>Venda</natOp>", b"")
    with pytest.raises(NfeRejected) as err:
        upload_nfe([("quebrada.xml", broken)], actor=medical_buyer)
    assert "esquema" in str(err.value.details) or "schema" in str(err.value.details)
    with pytest.raises(NfeRejected) as err:
        upload_nfe([(TOYS, sample(TOYS))], actor=medical_buyer)
    assert "57647232000153" in str(err.value.details)
    assert not NfeImport.objects.exists()


def test_a_zip_of_notes_is_read(medical_buyer):
    (imported,) = upload_nfe([("notas.zip", _zip({MEDICAL: sample(MEDICAL)}))], actor=medical_buyer)
    assert imported.access_key == MEDICAL_KEY


def _with_lots(xml: bytes, item: int, rastros: list[tuple[str, str, str, str]]) -> bytes:
    """The note with `rastro` groups (nLote, qLote, dFab, dVal) on item `item`, where the schema puts them."""
    start = xml.index(f'<det nItem="{item}">'.encode())
    at = xml.index(b"<indTot>1</indTot>", start) + len(b"<indTot>1</indTot>")
    groups = b"".join(
        f"<rastro><nLote>{code}</nLote><qLote>{qty}</qLote><dFab>{made}</dFab><dVal>{expiry}</dVal></rastro>".encode()
        for code, qty, made, expiry in rastros
    )
    return xml[:at] + groups + xml[at:]


def test_the_lots_of_a_note_enter_as_inventory_lots_with_their_dates(medical_buyer, make_product, make_warehouse):
    from datetime import date

    from retaguarda.inventory.models import Lot, StockBalance

    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    xml = _with_lots(
        sample(MEDICAL),
        3,
        [("CIM-2018A", "3.000", "2018-05-02", "2020-05-01"), ("CIM-2018B", "1.000", "2018-06-10", "2020-06-09")],
    )
    (imported,) = upload_nfe([("lotes.xml", xml)], actor=actor)
    preview = import_preview(imported.pk, actor=actor)
    assert [lot.code for lot in preview.lines[2].item.lots] == ["CIM-2018A", "CIM-2018B"]

    answers = {n: Answer(p.pk, factor=D("2") if n == 3 else None) for n, p in zip((1, 2, 3), products, strict=True)}
    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)

    lots = {lot.code: lot for lot in Lot.objects.filter(product=products[2])}
    assert {c: (lot.expiry) for c, lot in lots.items()} == {
        "CIM-2018A": date(2020, 5, 1),
        "CIM-2018B": date(2020, 6, 9),
    }
    moves = StockMove.objects.filter(source_type=Receipt.SOURCE, source_id=receipt.pk, product=products[2])
    assert sorted((m.lot.code, m.quantity) for m in moves) == [("CIM-2018A", D("6")), ("CIM-2018B", D("2"))]
    balances = StockBalance.objects.filter(product=products[2], lot__isnull=False)
    assert sorted((b.lot.code, b.on_hand) for b in balances) == [("CIM-2018A", D("6")), ("CIM-2018B", D("2"))]
    line = receipt.lines.get(product=products[2])
    assert [(lot.code, lot.stock_quantity, lot.manufactured) for lot in line.lots.all()] == [
        ("CIM-2018A", D("6"), date(2018, 5, 2)),
        ("CIM-2018B", D("2"), date(2018, 6, 10)),
    ]


def test_lots_that_do_not_add_up_to_the_item_stop_the_confirmation(medical_buyer, make_product, make_warehouse):
    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    xml = _with_lots(sample(MEDICAL), 3, [("CIM-1", "3.000", "2018-05-02", "2020-05-01")])
    (imported,) = upload_nfe([("lotes.xml", xml)], actor=actor)
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    preview = import_preview(imported.pk, actor=actor, answers=answers)
    assert preview.lines[2].problems and not preview.ready
    with pytest.raises(ValidationFailed) as err:
        confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)
    assert "lotes" in str(err.value.details) or "lots" in str(err.value.details)
    assert not Receipt.objects.exists()


def test_the_companys_own_entry_cfop_replaces_the_default_on_the_preview_and_the_receipt(
    medical_buyer, make_product, make_warehouse
):
    from retaguarda.core.errors import NotFound

    actor = medical_buyer
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    with pytest.raises(ValidationFailed) as err:
        services.set_cfop_mapping(actor=actor, supplier_cfop="1102", entry_cfop="9999")
    assert {d["field"] for d in err.value.details} == {"supplier_cfop", "entry_cfop"}
    services.set_cfop_mapping(actor=actor, supplier_cfop="6102", entry_cfop="2556")  # use and consumption

    (imported,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=actor)
    assert [line.entry_cfop for line in import_preview(imported.pk, actor=actor).lines] == ["2556"] * 3
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)
    assert [line.cfop for line in receipt.lines.all()] == ["2556"] * 3

    services.delete_cfop_mapping(actor=actor, supplier_cfop="6102")
    with pytest.raises(NotFound):
        services.delete_cfop_mapping(actor=actor, supplier_cfop="6102")


def _closed_reform_sample() -> bytes:
    """nfelib's reform sample (IBS/CBS/IS groups, one item) with its totals, installments and payment
    made to close from its item: the groups and every other field as shipped."""
    from lxml import etree

    n = {"n": "http://www.portalfiscal.inf.br/nfe"}
    root = etree.fromstring(sample(REFORM))
    inf = root.find("n:NFe/n:infNFe", n)
    totals = {"vProd": "14.88", "vDesc": "1.40", "vST": "2384.28", "vFrete": "0.00", "vSeg": "0.00", "vOutro": "0.00"}
    totals |= {"vBC": "56768.66", "vICMS": "6812.24", "vBCST": "76637.69", "vPIS": "824.28", "vCOFINS": "3796.69"}
    totals["vNF"] = "2397.76"  # 14.88 - 1.40 + 2384.28
    for name, value in totals.items():
        inf.find(f"n:total/n:ICMSTot/n:{name}", n).text = value
    for path in ("n:cobr/n:fat/n:vOrig", "n:cobr/n:fat/n:vLiq", "n:pag/n:detPag/n:vPag"):
        inf.find(path, n).text = totals["vNF"]
    for dup, (due, value) in zip(
        inf.findall("n:cobr/n:dup", n),
        [("2025-07-26", "799.25"), ("2025-08-05", "799.25"), ("2025-08-15", "799.26")],
        strict=True,
    ):
        dup.find("n:dVenc", n).text, dup.find("n:vDup", n).text = due, value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_reform_sample_is_refused_for_its_own_arithmetic_and_enters_once_its_totals_close(
    make_company, make_user, make_product, make_warehouse
):
    """The sample fills every optional group with example values: its items do not add up to its totals
    (SEFAZ's rejection 564) and its totals do not add up to its vNF either, so refusing it is right. The
    same note with totals that close enters to the centavo, IBS/CBS/IS groups and all."""
    from retaguarda.purchasing.nfe.reader import read_nfe

    nfe = read_nfe(sample(REFORM))
    t = nfe.totals
    assert sum(i.goods for i in nfe.items) == D("14.88") != t["vProd"] == D("158106.35")
    header = t["vProd"] - t["vDesc"] + t["vST"] + t["vFCPST"] + t["vFrete"] + t["vSeg"] + t["vOutro"] + t["vIPI"]
    assert header == D("164801.01") != t["vNF"] == D("164746.81")

    actor = buyer_for(make_company, make_user, "00127912000129")
    warehouse = warehouse_for(make_warehouse, actor)
    (product,) = new_products(make_product, actor, 1)
    (imported,) = upload_nfe([("reforma.xml", _closed_reform_sample())], actor=actor)
    preview = import_preview(imported.pk, actor=actor, answers={1: Answer(product.pk)})
    assert preview.problems == ["The supplier 00127786000102 is not registered yet."] or preview.problems == [
        "O fornecedor 00127786000102 ainda não está cadastrado."
    ]
    receipt = confirm_nfe(
        imported.pk, ConfirmIn(warehouse.pk, {1: Answer(product.pk)}, create_supplier=True), actor=actor
    )
    assert (
        receipt.total == D("2397.76") and receipt.icms_st_total == D("2384.28") and receipt.discount_total == D("1.40")
    )
    assert [line.cfop for line in receipt.lines.all()] == ["1403"]  # 5405 enters as 1403
    title = Title.objects.get(pk=receipt.title_id)
    assert [i.amount for i in title.installments.order_by("due_date")] == [D("799.25"), D("799.25"), D("799.26")]
    assert ProductCost.objects.get(product=product).average_cost == D("399.626667")  # 2397.76 / 6


def test_an_alphanumeric_cnpj_is_kept_as_written_for_the_recipient_and_the_supplier(
    make_company, make_user, make_product, make_warehouse
):
    from retaguarda.core.validators import complete_cnpj

    recipient, emitter = "12ABC34501DE35", complete_cnpj("AB1CD2EF0001")  # the Receita's example; a made-up one
    xml = sample(MEDICAL).replace(b"<CNPJ>37148260000119</CNPJ>", f"<CNPJ>{recipient}</CNPJ>".encode())
    xml = xml.replace(b"<CNPJ>75335849000115</CNPJ>", f"<CNPJ>{emitter}</CNPJ>".encode())
    actor = buyer_for(make_company, make_user, recipient)
    warehouse = warehouse_for(make_warehouse, actor)
    products = new_products(make_product, actor, 3)
    (imported,) = upload_nfe([("alfa.xml", xml)], actor=actor)
    answers = {n: Answer(p.pk) for n, p in zip((1, 2, 3), products, strict=True)}
    receipt = confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers, create_supplier=True), actor=actor)
    assert Party.objects.get(pk=receipt.supplier_id).document == emitter
    with pytest.raises(NfeRejected):
        upload_nfe([("outra.xml", xml.replace(recipient.encode(), b"12ABC34501DE46"))], actor=actor)
