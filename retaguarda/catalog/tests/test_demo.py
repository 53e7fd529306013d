"""The demo catalog builds through the services with valid fiscal data."""

from retaguarda.catalog import demo
from retaguarda.catalog.models import PriceList, Product
from retaguarda.core.validators import is_valid_gtin


def test_the_demo_catalog_is_believable_and_repeatable(company, actor):
    demo.build(company, actor)
    demo.build(company, actor)  # a second run adds nothing

    products = Product.objects.filter(company=company)
    assert 250 <= products.count() <= 400
    assert products.filter(is_variant_parent=True).count() == len(demo.CLOTHING)
    assert products.filter(product_type="kit").count() == 5
    assert all(
        is_valid_gtin(g) and g.startswith("789")
        for g in products.exclude(gtin="SEM GTIN").values_list("gtin", flat=True)
    )
    assert all(p.cest.matches_ncm(p.ncm_id) for p in products.filter(cest__isnull=False).select_related("cest"))
    assert set(products.values_list("category", flat=True)) >= {"Utilidades domésticas", "Vestuário", "Papelaria"}
    assert PriceList.objects.filter(company=company).count() == 3
