"""Spreadsheet import and export of products: all or nothing, every bad row reported, CSV and XLSX."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from retaguarda.catalog.importers import ProductExporter, ProductImporter
from retaguarda.catalog.models import KitComponent, Product
from retaguarda.catalog.tests.conftest import gtin13
from retaguarda.core import tabular
from retaguarda.core.models import AuditRecord

HEADER = "sku;nome;gtin;ncm;cest;preco;custo;unidade"


def _csv(lines: list[str], header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def _thousand_rows_with_three_bad() -> tuple[bytes, dict[int, str]]:
    lines = []
    for i in range(1, 1001):
        lines.append(f"SKU{i:04d};Produto {i};{gtin13(i)};39241000;1400600;{i},90;{i // 2},15;UN")
    # spreadsheet rows are data index + 1 (the header is row 1)
    lines[99] = "SKU0100;Produto 100;7891234567890;39241000;;10,00;5,00;UN"  # wrong check digit -> row 101
    lines[499] = "SKU0500;Produto 500;SEM GTIN;99999999;;10,00;5,00;UN"  # unknown NCM -> row 501
    lines[899] = "SKU0900;Produto 900;SEM GTIN;39241000;;dez reais;5,00;UN"  # not a number -> row 901
    return _csv(lines), {101: "gtin", 501: "ncm", 901: "preco"}


def test_a_file_with_three_bad_rows_among_a_thousand_saves_nothing_and_reports_exactly_them(actor):
    data, bad = _thousand_rows_with_three_bad()

    report = tabular.run_import("products", data, actor=actor)

    assert report.total == 1000
    assert report.saved == 0
    assert [(e.row, e.column) for e in report.errors] == sorted(bad.items())
    assert all(e.message for e in report.errors)
    assert Product.objects.count() == 0


def test_skip_invalid_saves_the_997_good_rows(actor):
    data, _bad = _thousand_rows_with_three_bad()

    report = tabular.run_import("products", data, actor=actor, skip_invalid=True)

    assert report.saved == 997
    assert Product.objects.filter(company_id=actor.company_id).count() == 997
    assert not Product.objects.filter(sku__in=["SKU0100", "SKU0500", "SKU0900"]).exists()
    assert AuditRecord.objects.filter(object_type="catalog.product", action="created").count() == 997


def test_errors_are_reported_in_portuguese_with_the_reason(actor):
    data, _bad = _thousand_rows_with_three_bad()

    report = tabular.run_import("products", data, actor=actor)

    messages = {e.row: e.message for e in report.errors}
    assert "dígito verificador" in messages[101]
    assert "99999999" in messages[501] and "tabela" in messages[501]
    assert "dez reais" in messages[901]


def test_brazilian_excel_csv_with_semicolons_decimal_commas_bom_and_latin1(actor):
    header = "SKU;Nome;NCM;Preço de venda;Custo;Peso bruto;Ativo"
    lines = ["CX-01;Caixa organizadora Média;39241000;1.234,56;R$ 617,28;0,350;sim"]
    for encoding in ("utf-8-sig", "latin-1"):
        Product.objects.all().delete()
        report = tabular.run_import("products", _csv(lines, header, encoding), actor=actor)
        assert report.ok, report.errors
        product = Product.objects.get(sku="CX-01")
        assert product.name == "Caixa organizadora Média"
        assert product.price == Decimal("1234.56")
        assert product.cost == Decimal("617.28")
        assert product.gross_weight == Decimal("0.35")


def test_comma_separated_csv_with_decimal_points(actor):
    data = b"sku,nome,ncm,preco\nA1,Copo americano,70133700,3.5\n"

    report = tabular.run_import("products", data, actor=actor)

    assert report.ok, report.errors
    assert Product.objects.get(sku="A1").price == Decimal("3.5")


def test_a_missing_required_column_stops_before_reading_rows(actor):
    report = tabular.run_import("products", b"nome;ncm\nCopo;70133700\n", actor=actor)

    assert report.saved == 0
    assert [(e.row, e.column) for e in report.errors] == [(1, "sku")]


def test_a_known_sku_updates_only_the_filled_cells(actor, make_product):
    product = make_product(sku="POTE-1", name="Pote 1 L", price=Decimal("10.00"))

    report = tabular.run_import("products", b"sku;preco;nome\nPOTE-1;11,50;\n", actor=actor)

    assert report.saved == 1
    product.refresh_from_db()
    assert product.price == Decimal("11.50")
    assert product.name == "Pote 1 L"
    assert product.version == 2
    change = AuditRecord.objects.filter(object_id=str(product.pk), action="updated").get()
    assert change.changes == {"price": ["10.0000000000", "11.5000000000"]}


def test_duplicate_skus_and_gtins_in_the_file_are_reported_on_the_repeated_row(actor):
    gtin = gtin13(5)
    data = _csv(
        [
            f"D1;Um;{gtin};39241000;;1;1;UN",
            "D1;Dois;SEM GTIN;39241000;;1;1;UN",
            f"D3;Tres;{gtin};39241000;;1;1;UN",
        ]
    )

    report = tabular.run_import("products", data, actor=actor)

    assert [(e.row, e.column) for e in report.errors] == [(3, "sku"), (4, "gtin")]


def test_variations_and_kits_import_with_their_parents_and_components(actor):
    data = (
        "sku;nome;ncm;preco;tipo;variacao_de;atributos;componentes\n"
        "KIT-1;Kit camisetas;61091000;99,90;kit;;;CAM-P*2 | CAM-M*1\n"
        "CAM-P;Camiseta P;61091000;39,90;;CAM;Tamanho=P;\n"
        "CAM;Camiseta básica;61091000;39,90;;;;\n"
        "CAM-M;Camiseta M;61091000;39,90;;CAM;Tamanho=M;\n"
    ).encode()

    report = tabular.run_import("products", data, actor=actor)

    assert report.ok, report.errors
    parent = Product.objects.get(sku="CAM")
    assert parent.is_variant_parent
    assert parent.attributes == {"Tamanho": ["P", "M"]}
    assert sorted(parent.variants.values_list("sku", flat=True)) == ["CAM-M", "CAM-P"]
    kit = Product.objects.get(sku="KIT-1")
    parts = {c.component.sku: c.quantity for c in KitComponent.objects.filter(kit=kit)}
    assert parts == {"CAM-P": Decimal("2"), "CAM-M": Decimal("1")}


def test_a_kit_cannot_contain_a_variation_parent_or_itself(actor):
    data = (
        b"sku;nome;ncm;tipo;variacao_de;atributos;componentes\n"
        b"CAM;Camiseta;61091000;;;;\n"
        b"CAM-P;Camiseta P;61091000;;CAM;Tamanho=P;\n"
        b"KIT-1;Kit;61091000;kit;;;CAM*1\n"
        b"KIT-2;Kit;61091000;kit;;;KIT-2*1\n"
    )

    report = tabular.run_import("products", data, actor=actor)

    assert [(e.row, e.column) for e in report.errors] == [(4, "componentes"), (5, "componentes")]


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_numbers_typed_as_numbers(actor):
    data = _xlsx([["SKU", "Nome", "NCM", "GTIN", "Preço"], [1001, "Jarra de vidro", 70133700, int(gtin13(9)), 24.9]])

    report = tabular.run_import("products", data, actor=actor)

    assert report.ok, report.errors
    product = Product.objects.get(sku="1001")
    assert product.gtin == gtin13(9)
    assert product.price == Decimal("24.9")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_into_another_company_gives_the_same_products(fmt, actor, make_product, make_company):
    parent = make_product(
        sku="CAM", name="Camiseta", ncm="61091000", cest=None, variations={"Tamanho": ["P", "M"], "Cor": ["Azul"]}
    )
    plain = make_product(sku="POTE", gtin=gtin13(77), price=Decimal("12.34"), gross_weight=Decimal("0.125"))
    make_product(sku="KIT", name="Kit potes", product_type="kit", components=[{"product_id": plain.pk, "quantity": 3}])
    out = io.BytesIO()
    count = tabular.write_export(ProductExporter(actor=actor), out, fmt)
    other = make_company()
    actor.user.companies.add(other)
    other_actor = type(actor)(actor.user, actor.origin, other.pk)

    report = tabular.run_import(ProductImporter, out.getvalue(), actor=other_actor, filename=f"x.{fmt}")

    assert report.ok, report.errors
    assert report.saved == count == 5
    fields = ["sku", "name", "gtin", "ncm_id", "cest_id", "price", "cost", "gross_weight", "is_variant_parent"]
    mine = list(Product.objects.filter(company=actor.company_id).order_by("sku").values(*fields, "parent__sku"))
    theirs = list(Product.objects.filter(company=other).order_by("sku").values(*fields, "parent__sku"))
    assert theirs == mine
    copied = Product.objects.get(company=other, sku=parent.sku)
    assert copied.attributes == {"Tamanho": ["P", "M"], "Cor": ["Azul"]}
    assert KitComponent.objects.get(kit__company=other).quantity == Decimal("3")


def test_csv_export_is_semicolon_separated_with_bom_and_decimal_commas(actor, make_product):
    make_product(sku="POTE", name="Pote ÁGUA", price=Decimal("1234.5"))
    out = io.BytesIO()

    tabular.write_export(ProductExporter(actor=actor), out, "csv")

    text = out.getvalue()
    assert text.startswith(b"\xef\xbb\xbf")
    header, line = text.decode("utf-8-sig").splitlines()
    assert header.startswith("sku;nome;descricao;tipo;gtin;ncm")
    assert "POTE;Pote ÁGUA;" in line and ";1234,50;" in line


def test_import_command_reports_bad_rows_and_exits_with_1(actor, tmp_path, capsys):
    data, _bad = _thousand_rows_with_three_bad()
    path = tmp_path / "produtos.csv"
    path.write_bytes(data)

    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "products", str(path), company=actor.company_id)

    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert "3 problema(s) em 3 linha(s)" in out
    assert "    101  gtin" in out and "    501  ncm" in out and "    901  preco" in out
    assert "Nada foi salvo" in out
    assert Product.objects.count() == 0


def test_import_command_with_skip_invalid_and_export_command(actor, tmp_path, capsys):
    data, _bad = _thousand_rows_with_three_bad()
    path = tmp_path / "produtos.csv"
    path.write_bytes(data)

    call_command("import", "products", str(path), company=actor.company_id, skip_invalid=True)
    call_command("export", "products", format="xlsx", output=str(tmp_path / "out.xlsx"), company=actor.company_id)

    out = capsys.readouterr().out
    assert "997 salva(s)" in out
    assert "997 registro(s) exportado(s)" in out
    assert (tmp_path / "out.xlsx").read_bytes().startswith(b"PK")


def test_parsers_read_brazilian_numbers():
    assert tabular.parse_decimal("1.234,56") == Decimal("1234.56")
    assert tabular.parse_decimal("1234.56") == Decimal("1234.56")
    assert tabular.parse_decimal("R$ 0,99") == Decimal("0.99")
    assert tabular.parse_decimal("1.234.567") == Decimal("1234567")
    assert tabular.parse_decimal("-3,5") == Decimal("-3.5")
    with pytest.raises(ValueError):
        tabular.parse_decimal("1,2,3")
    assert tabular.parse_bool("Não") is False and tabular.parse_bool("SIM") is True
    assert str(tabular.parse_date("31/01/2026")) == "2026-01-31"


def test_reimporting_a_kit_replaces_its_components_and_audits_it(actor, make_product):
    pot, lid = make_product(sku="POTE"), make_product(sku="TAMPA")
    kit = make_product(sku="KIT", product_type="kit", components=[{"product_id": pot.pk, "quantity": 2}])

    report = tabular.run_import("products", b"sku;componentes\nKIT;TAMPA*3\n", actor=actor)

    assert report.ok, report.errors
    assert list(kit.components.values_list("component__sku", "quantity")) == [("TAMPA", Decimal("3"))]
    record = AuditRecord.objects.filter(object_id=str(kit.pk), action="components_set").order_by("id").last()
    assert record.changes["components"] == [["POTE x 2.0000"], ["TAMPA x 3.0000"]]
    assert lid.pk
