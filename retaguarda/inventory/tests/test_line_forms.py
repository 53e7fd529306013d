"""Inventory forms keep every typed line and show every problem in one round, beside its row."""

from django.urls import reverse

from retaguarda.inventory.models import ManualOperation, StockCount, TransferOrder

from .conftest import D


def _entry(warehouse, **lines):
    return {"direction": "in", "warehouse": warehouse.pk, "counterpart": "supplier", "reason": "Compra", **lines}


def test_an_entry_with_bad_lines_keeps_every_line_and_marks_only_the_bad_ones(web, make_product, warehouse):
    good, other = make_product("CAN-300"), make_product("PRATO-01")
    data = _entry(
        warehouse,
        code_1=good.sku,
        quantity_1="2,5",
        cost_1="10,90",
        lot_1="L-7",
        code_2="NAO-EXISTE",
        quantity_2="3",
        code_3=other.sku,
        quantity_3="abc",
        cost_3="-1",
        code_4=other.sku,
        quantity_4="1",
    )
    data["reason"] = ""

    response = web.post(reverse("inventory:move_new"), data)

    assert response.status_code == 200
    assert not ManualOperation.objects.exists()
    html = response.content.decode()
    for value in (
        'value="CAN-300"',
        'value="2,5"',
        'value="10,90"',
        'value="L-7"',
        'value="NAO-EXISTE"',
        'value="abc"',
    ):
        assert value in html
    lines = {line.n: line for line in response.context["lines"]}
    assert not lines[1].errors and not lines[4].errors
    assert set(lines[2].errors) == {"code"}
    assert set(lines[3].errors) == {"quantity", "cost"}
    summary = response.context["summary"]
    assert summary[0] == "Informe por que o estoque está entrando ou saindo."
    assert any(m.startswith("Linha 2 · produto:") for m in summary)
    assert any(m.startswith("Linha 3 · quantidade:") for m in summary)
    assert any(m.startswith("Linha 3 · custo unitário:") for m in summary)
    assert len(summary) == 4


def test_an_exit_short_of_stock_marks_the_line_of_the_product(web, make_product, warehouse, stock):
    product = make_product("CAN-300")
    stock.receive(product, warehouse, "1")
    data = {
        "direction": "out",
        "warehouse": warehouse.pk,
        "counterpart": "scrap",
        "reason": "Quebra",
        "code_1": product.sku,
        "quantity_1": "4",
    }

    response = web.post(reverse("inventory:move_new"), data)

    assert response.status_code == 200
    line = response.context["lines"][0]
    assert "quantity" in line.errors
    assert "disponível 1, pedido 4" in line.errors["quantity"][0]
    assert 'value="4"' in response.content.decode()


def test_a_transfer_to_the_same_warehouse_keeps_its_lines(web, make_product, warehouse):
    product = make_product("CAN-300")
    data = {"from_warehouse": warehouse.pk, "to_warehouse": warehouse.pk, "code_1": product.sku, "quantity_1": "2"}

    response = web.post(reverse("inventory:transfer_new"), data)

    assert response.status_code == 200
    assert not TransferOrder.objects.exists()
    assert response.context["problems"]["to_warehouse_id"]
    assert 'value="CAN-300"' in response.content.decode()


def test_count_quantities_with_a_bad_row_keep_the_others_and_name_the_row(web, actor, make_product, warehouse):
    from retaguarda.inventory import services

    first, second, third = make_product("A-1"), make_product("B-2"), make_product("C-3")
    count = services.create_count(actor=actor, warehouse_id=warehouse.pk, product_ids=[first.pk, second.pk, third.pk])
    services.start_count(count.pk, actor=actor)
    lines = {line.product.sku: line for line in count.lines.select_related("product")}
    url = reverse("inventory:count_action", args=[count.pk, "quantities"])

    response = web.post(
        url, {f"line_{lines['A-1'].pk}": "7", f"line_{lines['B-2'].pk}": "x1", f"line_{lines['C-3'].pk}": "1.234,5"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="7"' in html and 'value="x1"' in html and 'value="1.234,5"' in html
    assert response.context["summary"] == ["Linha 2 (B-2) · contado: Número inválido: x1."]
    assert not StockCount.objects.get(pk=count.pk).lines.filter(counted__isnull=False).exists()

    response = web.post(url, {f"line_{lines['A-1'].pk}": "7", f"line_{lines['C-3'].pk}": "1.234,5"})

    assert response.status_code == 302
    counted = dict(StockCount.objects.get(pk=count.pk).lines.values_list("product__sku", "counted"))
    assert counted["A-1"] == D(7) and counted["C-3"] == D("1234.5") and counted["B-2"] is None
    page = web.get(reverse("inventory:count", args=[count.pk])).content.decode()
    assert 'value="1234,5"' in page


def test_the_kardex_names_each_document_in_words_with_a_link(web, actor, make_product, make_warehouse, stock):
    from retaguarda.inventory import services

    product = make_product("CAN-300")
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    stock.receive(product, shop, "10")
    transfer = services.create_transfer(
        actor=actor,
        from_warehouse_id=shop.pk,
        to_warehouse_id=depot.pk,
        lines=[services.TransferLineIn(product.pk, D(3))],
    )
    services.ship_transfer(transfer.pk, actor=actor)

    response = web.get(reverse("inventory:kardex", args=[product.pk]))

    html = response.content.decode()
    assert "inventory.transfer_out #" not in html and "inventory.manual #" not in html
    assert "Transferência enviada" in html
    assert reverse("inventory:transfer", args=[transfer.pk]) in html
    assert "3 entre depósitos" in html
    assert response.context["in_transit"] == D(3)
