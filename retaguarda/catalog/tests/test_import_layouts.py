"""A product file exported by Bling (or Tiny) imports as it is, variations included."""

from decimal import Decimal
from pathlib import Path

from retaguarda.catalog.importers import ProductImporter
from retaguarda.catalog.models import Product
from retaguarda.core import tabular

SAMPLES = Path(__file__).parent / "samples"


def test_a_bling_export_with_variations_imports_in_one_step(actor):
    report = tabular.run_import("products", SAMPLES / "bling-produtos.csv", actor=actor)

    assert report.ok, report.errors
    assert report.saved == 4
    parent = Product.objects.get(sku="CAM-BAS")
    assert parent.name == "Camiseta básica algodão"  # Bling's "Descrição" is the name
    assert parent.description == "Malha 30.1 penteada"
    assert parent.is_variant_parent and parent.ncm_id == "61091000"
    variants = {v.sku: v for v in parent.variants.all()}
    assert set(variants) == {"CAM-BAS-AZ-M", "CAM-BAS-AZ-G"}
    assert variants["CAM-BAS-AZ-M"].attributes == {"Cor": "Azul", "Tamanho": "M"}
    assert variants["CAM-BAS-AZ-M"].gtin == "7891234567895"
    assert variants["CAM-BAS-AZ-G"].price == Decimal("52.90")
    pot = Product.objects.get(sku="POTE-1L")
    assert (pot.is_active, pot.cost, pot.cest_id, pot.minimum_stock) == (False, Decimal("8.40"), "1400600", Decimal(5))


def test_the_layout_is_known_by_its_headers_and_ours_still_reads_descricao_as_the_long_text():
    bling = ["Código", "Descrição", "Código Pai", "Descrição Complementar"]
    ours = ["sku", "nome", "descricao"]

    found, _ignored, _missing = tabular.match_columns(bling, ProductImporter.columns_for(bling))
    assert [found[i].name for i in sorted(found)] == ["sku", "nome", "variacao_de", "descricao"]
    found, _ignored, _missing = tabular.match_columns(ours, ProductImporter.columns_for(ours))
    assert [found[i].name for i in sorted(found)] == ["sku", "nome", "descricao"]


def test_a_tiny_export_is_recognised_too(actor):
    header = (
        '"ID";"Código (SKU)";"Descrição";"Unidade";"Classificação fiscal";"Origem";"Preço";"Código do pai";"Variações"'
    )
    lines = [
        header,
        '"1";"TNS-01";"Tênis corrida";"PR";"6404.11.00";"0";"299,90";"";""',
        '"2";"TNS-01-40";"Tênis corrida 40";"PR";"6404.11.00";"0";"299,90";"TNS-01";"Tamanho:40"',
    ]

    report = tabular.run_import("products", "\n".join(lines).encode(), actor=actor)

    assert report.ok, report.errors
    child = Product.objects.get(sku="TNS-01-40")
    assert child.parent.sku == "TNS-01" and child.attributes == {"Tamanho": "40"} and child.unit == "PR"
