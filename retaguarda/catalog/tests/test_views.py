"""Catalog pages render, submit through the services, and list pages run a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from retaguarda.catalog import services
from retaguarda.catalog.models import PriceList, Product


@pytest.mark.parametrize("size", [25, 100])
def test_the_product_list_runs_a_fixed_number_of_queries(web, make_product, django_assert_max_num_queries, size):
    for i in range(30):
        make_product(name=f"Produto {i:02d}")
    make_product(sku="CAM", name="Camiseta", ncm="61091000", cest=None, variations={"Tamanho": ["P", "M"]})

    with django_assert_max_num_queries(12):
        response = web.get(reverse("catalog:product_list"), {"limit": size})

    assert response.status_code == 200
    assert b"CAM-P" not in response.content  # variations stay under their parent
    assert "2 variações".encode() in response.content


def test_htmx_search_answers_only_the_table(web, make_product):
    make_product(name="Garrafa térmica")
    make_product(name="Copo")

    response = web.get(reverse("catalog:product_list"), {"q": "garrafa"}, headers={"HX-Request": "true"})

    assert b"<h1>" not in response.content
    assert "Garrafa térmica".encode() in response.content and b"Copo" not in response.content


def test_create_a_product_with_variations_through_the_form(web):
    response = web.post(
        reverse("catalog:product_create"),
        {
            "sku": "CAM",
            "name": "Camiseta",
            "product_type": "goods",
            "ncm": "61091000",
            "origin": "0",
            "unit": "UN",
            "tax_unit": "UN",
            "purchase_unit": "UN",
            "purchase_factor": "1",
            "price": "49,90",
            "is_active": "on",
            "attr_name_0": "Tamanho",
            "attr_values_0": "P, M",
            "variant_count": "2",
            "variant_0_attr_Tamanho": "P",
            "variant_0_sku": "CAM-PEQ",
            "variant_1_attr_Tamanho": "M",
            "variant_1_price": "52,90",
        },
    )

    parent = Product.objects.get(sku="CAM")
    assert response.status_code == 302 and response.url == reverse("catalog:product_detail", args=[parent.pk])
    assert sorted(parent.variants.values_list("sku", "price")) == [
        ("CAM-M", Decimal("52.90")),
        ("CAM-PEQ", Decimal("49.90")),
    ]
    detail = web.get(response.url)
    assert b"CAM-PEQ" in detail.content and b"CAM-M" in detail.content


def test_the_form_shows_service_errors_beside_the_fields(web):
    response = web.post(
        reverse("catalog:product_create"),
        {
            "sku": "X",
            "name": "Copo",
            "product_type": "goods",
            "ncm": "99999999",
            "origin": "0",
            "unit": "UN",
            "tax_unit": "UN",
            "purchase_unit": "UN",
            "purchase_factor": "1",
            "gtin": "123",
        },
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"ncm", "gtin"}


def test_variation_preview_generates_one_row_per_combination(web):
    response = web.post(
        reverse("catalog:variant_preview"),
        {
            "sku": "CAM",
            "attr_name_0": "Tamanho",
            "attr_values_0": "P, M",
            "attr_name_1": "Cor",
            "attr_values_1": "Azul",
        },
    )

    assert response.content.count(b"<tr data-variant") == 2
    assert b'value="CAM-P-AZUL"' in response.content


def test_product_detail_shows_variants_components_and_prices(web, actor, make_product):
    pot = make_product(price=Decimal("10.00"))
    kit = make_product(sku="KIT", product_type="kit", components=[{"product_id": pot.pk, "quantity": 2}])
    services.create_price_list(
        actor=actor, name="Atacado", items=[{"product_id": pot.pk, "percentage": Decimal("-10")}]
    )

    kit_page = web.get(reverse("catalog:product_detail", args=[kit.pk]))
    pot_page = web.get(reverse("catalog:product_detail", args=[pot.pk]))

    assert pot.sku.encode() in kit_page.content
    assert b"Atacado" in pot_page.content and "R$\xa09,00".encode() in pot_page.content
    stock_panels = {"inventory/partials/product_stock.html", "catalog/partials/stock_placeholder.html"}
    assert stock_panels & {t.name for t in pot_page.templates}


def test_edit_deactivate_and_kit_components_pages(web, make_product):
    pot, lid = make_product(), make_product()
    kit = make_product(sku="KIT", product_type="kit", components=[{"product_id": pot.pk, "quantity": 2}])

    form = web.get(reverse("catalog:product_edit", args=[pot.pk]))
    web.post(
        reverse("catalog:kit_components", args=[kit.pk]),
        {"version": kit.version, "component_sku_0": lid.sku, "component_qty_0": "3"},
    )
    web.post(reverse("catalog:product_set_active", args=[pot.pk]), {"version": 1, "active": "0"})

    assert form.status_code == 200
    assert list(kit.components.values_list("component__sku", "quantity")) == [(lid.sku, Decimal("3"))]
    pot.refresh_from_db()
    assert pot.is_active is False


def test_price_list_pages(web, make_product):
    pot = make_product(price=Decimal("10.00"))

    response = web.post(
        reverse("catalog:pricelist_create"),
        {
            "name": "Marketplace",
            "channel": "Mercado Livre",
            "is_active": "on",
            "item_count": "2",
            "item_sku_0": pot.sku,
            "item_kind_0": "percentage",
            "item_value_0": "15",
        },
    )

    price_list = PriceList.objects.get()
    assert response.status_code == 302
    assert "R$\xa011,50".encode() in web.get(reverse("catalog:pricelist_detail", args=[price_list.pk])).content
    assert b"Marketplace" in web.get(reverse("catalog:pricelist_list")).content
    assert web.get(reverse("catalog:pricelist_edit", args=[price_list.pk])).status_code == 200


def test_the_pages_need_catalog_permissions(client, make_user):
    client.force_login(make_user("finance"))

    assert client.get(reverse("catalog:product_list")).status_code == 403


def test_every_problem_of_the_product_form_shows_in_one_round_with_what_was_typed(web):
    response = web.post(
        reverse("catalog:product_create"),
        {
            "sku": "",
            "name": "Copo",
            "product_type": "goods",
            "ncm": "",
            "origin": "0",
            "unit": "UN",
            "tax_unit": "UNIDADE",
            "purchase_unit": "UN",
            "purchase_factor": "1",
            "price": "-10,50",
            "cost": "doze",
            "category": "c" * 61,
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"sku", "ncm", "tax_unit", "price", "cost", "category"}
    html = response.content.decode()
    assert 'value="-10,50"' in html and 'value="doze"' in html and 'value="UNIDADE"' in html
    assert not Product.objects.exists()


def test_the_edit_form_shows_prices_and_quantities_as_people_write_them(web, make_product):
    product = make_product(price=Decimal("105.9"), cost=Decimal("48"), minimum_stock=Decimal("2.5"))

    html = web.get(reverse("catalog:product_edit", args=[product.pk])).content.decode()

    assert 'name="price" value="105,90"' in html
    assert 'name="cost" value="48,00"' in html
    assert 'name="minimum_stock" value="2,5"' in html
    assert 'name="gross_weight" value="0"' in html


VARIATIONS_FORM = {
    "sku": "CAM",
    "name": "Camiseta",
    "product_type": "goods",
    "origin": "0",
    "unit": "UN",
    "tax_unit": "UN",
    "purchase_unit": "UN",
    "purchase_factor": "1",
    "is_active": "on",
    "attr_name_0": "Tamanho",
    "attr_values_0": "P, M",
    "variant_count": "2",
    "variant_0_attr_Tamanho": "P",
    "variant_0_price": "-1",
    "variant_1_attr_Tamanho": "M",
    "variant_1_price": "abc",
}


@pytest.mark.parametrize(
    ("fields", "refused_by"),
    [({"ncm": "", "ncm_search": "6109.10.0", "price": "-49,90"}, "the form"), ({"ncm": "61091000"}, "the service")],
)
def test_a_variation_row_s_problems_show_beside_it_in_the_same_round(web, fields, refused_by):
    response = web.post(reverse("catalog:product_create"), {**VARIATIONS_FORM, **fields})

    html = response.content.decode()
    rows = response.context["variant_rows"]
    assert [row["problems"] for row in rows] == [{"price": ["Não pode ser negativo."]}, {"price": ["Número inválido."]}]
    assert "Variação P · preço de venda: Não pode ser negativo." in html, refused_by
    assert "Variação M · preço de venda: Número inválido." in html
    assert 'value="abc"' in html and html.count('aria-invalid="true"') >= 2
    assert not Product.objects.exists()


def test_an_ncm_typed_without_a_pick_is_kept_and_named_not_called_missing(web):
    response = web.post(
        reverse("catalog:product_create"),
        {**VARIATIONS_FORM, "variant_count": "0", "ncm": "", "ncm_search": "6109.10.0", "price": "-49,90"},
    )

    errors = response.context["form"].errors
    assert "“6109.10.0” não está na lista" in errors["ncm"][0]
    assert errors["price"] == ["Não pode ser negativo."]  # the rest of the form in the same round
    assert 'value="6109.10.0"' in response.content.decode()
