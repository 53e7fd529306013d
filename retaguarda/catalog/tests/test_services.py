"""Product, variation, kit and price list rules, as the services enforce them."""

import datetime
from decimal import Decimal

import pytest

from retaguarda.catalog import selectors, services
from retaguarda.catalog.models import KitComponent, Product
from retaguarda.catalog.tests.conftest import gtin13
from retaguarda.core.errors import StaleVersion, ValidationFailed
from retaguarda.core.models import AuditRecord


def _fields(err) -> set[str]:
    return {d["field"] for d in err.value.details}


def test_a_product_with_every_field_wrong_reports_every_field_at_once(actor):
    with pytest.raises(ValidationFailed) as err:
        services.create_product(
            actor=actor,
            sku="X1",
            name="",
            gtin="7891234567890",
            ncm="99999999",
            origin=9,
            unit="unidade longa",
            purchase_factor=Decimal(0),
            gross_weight=Decimal("-1"),
            price=Decimal("-5"),
        )

    assert _fields(err) == {"name", "gtin", "ncm", "origin", "unit", "purchase_factor", "gross_weight", "price"}


def test_cest_must_exist_and_match_the_ncm(actor):
    with pytest.raises(ValidationFailed) as err:
        services.create_product(actor=actor, sku="A", name="Copo", ncm="70133700", cest="1400600")
    assert _fields(err) == {"cest"}
    assert "70133700" in err.value.details[0]["message"]

    with pytest.raises(ValidationFailed) as err:
        services.create_product(actor=actor, sku="A", name="Copo", ncm="70133700", cest="9999999")
    assert _fields(err) == {"cest"}

    product = services.create_product(actor=actor, sku="A", name="Copo", ncm="7013.37.00", cest="14.002.00")
    assert (product.ncm_id, product.cest_id) == ("70133700", "1400200")


def test_sku_and_gtin_are_unique_per_company(actor, make_product, make_company):
    make_product(sku="DUP", gtin=gtin13(1))

    with pytest.raises(ValidationFailed) as err:
        make_product(sku="DUP", gtin=gtin13(1))
    assert _fields(err) == {"sku", "gtin"}

    other = make_company()
    other_actor = type(actor)(actor.user, actor.origin, other.pk)
    assert services.create_product(actor=other_actor, sku="DUP", name="Outro", ncm="39241000").pk


def test_sem_gtin_is_accepted_and_normalised(make_product):
    assert make_product(gtin="sem gtin").gtin == "SEM GTIN"
    assert make_product(gtin="").gtin == "SEM GTIN"


def test_creation_and_each_changed_field_are_audited(actor, make_product):
    product = make_product(price=Decimal("10.00"))

    services.update_product(product.pk, actor=actor, version=1, price=Decimal("11.00"), name="Pote novo")

    created, updated = AuditRecord.objects.filter(object_type="catalog.product", object_id=str(product.pk)).order_by(
        "id"
    )
    assert created.action == "created" and created.changes["sku"] == [None, product.sku]
    assert updated.changes == {"price": ["10.0000000000", "11.0000000000"], "name": [product.name, "Pote novo"]}


def test_a_stale_version_is_refused(actor, make_product):
    product = make_product()
    services.update_product(product.pk, actor=actor, version=1, name="Primeira")

    with pytest.raises(StaleVersion):
        services.update_product(product.pk, actor=actor, version=1, name="Segunda")


def test_the_type_cannot_change(actor, make_product):
    product = make_product()
    with pytest.raises(ValidationFailed) as err:
        services.update_product(product.pk, actor=actor, version=1, product_type="kit")
    assert _fields(err) == {"product_type"}


def test_variations_create_one_child_per_combination_with_the_parents_fiscal_data(make_product):
    parent = make_product(
        sku="CAM",
        name="Camiseta",
        ncm="61091000",
        cest=None,
        price=Decimal("49.90"),
        variations={"Tamanho": ["P", "M", "G"], "Cor": ["Azul", "Preta"]},
        variants=[{"attributes": {"Tamanho": "G", "Cor": "Preta"}, "price": Decimal("54.90"), "gtin": gtin13(3)}],
    )

    children = list(parent.variants.order_by("id"))
    assert parent.is_variant_parent and not parent.is_stocked
    assert len(children) == 6
    assert [c.sku for c in children[:2]] == ["CAM-P-AZUL", "CAM-P-PRETA"]
    assert children[0].name == "Camiseta P Azul"
    assert children[0].attributes == {"Tamanho": "P", "Cor": "Azul"}
    assert {c.ncm_id for c in children} == {"61091000"}
    last = children[-1]
    assert (last.price, last.gtin) == (Decimal("54.90"), gtin13(3))
    assert all(c.is_stocked for c in children)


def test_a_variation_sku_clash_names_the_child(make_product):
    make_product(sku="CAM-P")
    with pytest.raises(ValidationFailed) as err:
        make_product(sku="CAM", ncm="61091000", cest=None, variations={"Tamanho": ["P", "M"]})
    assert _fields(err) == {"variants.0.sku"}


def test_add_and_remove_a_variation(actor, make_product):
    parent = make_product(sku="CAM", ncm="61091000", cest=None, variations={"Tamanho": ["P", "M"]})

    child = services.add_variant(parent.pk, actor=actor, attributes={"Tamanho": "GG"}, price=Decimal("59.90"))
    parent.refresh_from_db()
    assert child.sku == "CAM-GG" and child.price == Decimal("59.90")
    assert parent.attributes == {"Tamanho": ["P", "M", "GG"]}

    with pytest.raises(ValidationFailed):
        services.add_variant(parent.pk, actor=actor, attributes={"Tamanho": "GG"})

    assert services.remove_variant(child.pk, actor=actor) == "deleted"
    parent.refresh_from_db()
    assert parent.attributes == {"Tamanho": ["P", "M"]}
    assert not Product.objects.filter(pk=child.pk).exists()


def test_deactivating_a_parent_deactivates_its_variations_and_fiscal_changes_flow_down(actor, make_product):
    parent = make_product(sku="CAM", ncm="61091000", cest=None, variations={"Tamanho": ["P", "M"]})

    services.update_product(parent.pk, actor=actor, version=1, ncm="61099000")
    services.deactivate_product(parent.pk, actor=actor)

    assert set(parent.variants.values_list("ncm_id", "is_active")) == {("61099000", False)}


def test_a_kit_holds_components_but_not_itself_another_kit_or_a_variation_parent(actor, make_product):
    pot, lid = make_product(), make_product()
    kit = make_product(
        sku="KIT",
        product_type="kit",
        components=[{"product_id": pot.pk, "quantity": 2}, {"sku": lid.sku, "quantity": "1"}],
    )
    assert not kit.is_stocked
    assert KitComponent.objects.filter(kit=kit).count() == 2

    parent = make_product(sku="CAM", ncm="61091000", cest=None, variations={"Tamanho": ["P"]})
    other_kit = make_product(sku="KIT2", product_type="kit", components=[{"product_id": pot.pk, "quantity": 1}])
    with pytest.raises(ValidationFailed) as err:
        services.set_kit_components(
            kit.pk,
            [
                {"product_id": kit.pk, "quantity": 1},
                {"product_id": other_kit.pk, "quantity": 1},
                {"product_id": parent.pk, "quantity": 1},
                {"product_id": pot.pk, "quantity": 0},
            ],
            actor=actor,
            version=kit.version,
        )
    assert _fields(err) == {
        "components.0.product_id",
        "components.1.product_id",
        "components.2.product_id",
        "components.3.quantity",
    }


def test_a_kit_needs_components_and_records_their_change(actor, make_product):
    pot, lid = make_product(), make_product()
    with pytest.raises(ValidationFailed):
        make_product(sku="KIT", product_type="kit")
    kit = make_product(sku="KIT", product_type="kit", components=[{"product_id": pot.pk, "quantity": 2}])

    services.set_kit_components(kit.pk, [{"product_id": lid.pk, "quantity": 3}], actor=actor, version=kit.version)

    record = AuditRecord.objects.filter(object_id=str(kit.pk), action="components_set").order_by("id").last()
    assert record.changes["components"] == [[f"{pot.sku} x 2.0000"], [f"{lid.sku} x 3.0000"]]


def test_price_for_uses_fixed_prices_percentages_parents_and_validity(actor, make_product):
    pot = make_product(price=Decimal("10.00"))
    glass = make_product(price=Decimal("7.99"))
    shirt = make_product(sku="CAM", ncm="61091000", cest=None, price=Decimal("50.00"), variations={"Tamanho": ["P"]})
    child = shirt.variants.get()
    price_list = services.create_price_list(
        actor=actor,
        name="Atacado",
        channel="Loja física",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 12, 31),
        items=[
            {"product_id": pot.pk, "fixed_price": Decimal("8.50")},
            {"product_id": glass.pk, "percentage": Decimal("-10")},
            {"product_id": shirt.pk, "percentage": Decimal("20")},
        ],
    )
    day = datetime.date(2026, 6, 1)

    assert selectors.price_for(pot, price_list, day) == Decimal("8.50")
    assert selectors.price_for(glass, price_list, day) == Decimal("7.19")
    assert selectors.price_for(child, price_list, day) == Decimal("60.00")
    assert selectors.price_for(pot, price_list, datetime.date(2027, 1, 1)) == Decimal("10.00")


def test_a_price_list_item_needs_exactly_one_rule_and_dates_in_order(actor, make_product):
    pot = make_product()
    with pytest.raises(ValidationFailed) as err:
        services.create_price_list(
            actor=actor,
            name="Errada",
            valid_from=datetime.date(2026, 2, 1),
            valid_until=datetime.date(2026, 1, 1),
            items=[{"product_id": pot.pk, "fixed_price": 1, "percentage": 2}, {"product_id": 999999, "fixed_price": 1}],
        )
    assert _fields(err) == {"valid_until", "items.0.fixed_price", "items.1.product_id"}


def test_price_list_changes_are_audited_with_version(actor, make_product):
    pot = make_product()
    price_list = services.create_price_list(actor=actor, name="Varejo")

    services.update_price_list(
        price_list.pk, actor=actor, version=1, items=[{"product_id": pot.pk, "fixed_price": Decimal("9.90")}]
    )

    with pytest.raises(StaleVersion):
        services.update_price_list(price_list.pk, actor=actor, version=1, name="Outro")
    record = AuditRecord.objects.filter(object_type="catalog.pricelist", action="updated").get()
    assert record.changes["items"][1] == [f"{pot.sku}: R$ 9.9000000000"]
