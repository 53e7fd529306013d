import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retaguarda.inventory import services
from retaguarda.inventory.models import StockCount, StockMove, TransferOrder
from retaguarda.inventory.services import Need, Source

from .conftest import D


def test_every_menu_page_renders(web, stock, product, warehouse):
    stock.receive(product, warehouse, "3")
    for name in ("balances", "moves", "transfers", "counts", "warehouses", "below_minimum", "valuation", "balances_at"):
        response = web.get(reverse(f"inventory:{name}"))
        assert response.status_code == 200, name
    assert product.sku in web.get(reverse("inventory:balances")).content.decode()


def test_pages_need_the_inventory_view_permission(client, make_user):
    client.force_login(make_user("finance"))

    assert client.get(reverse("inventory:balances")).status_code == 403


def test_a_manual_entry_from_the_page(web, product, warehouse, stock):
    response = web.post(
        reverse("inventory:move_new"),
        {
            "direction": "in",
            "warehouse": warehouse.pk,
            "counterpart": "supplier",
            "reason": "Doação",
            "code_1": product.sku,
            "quantity_1": "2,5",
            "cost_1": "10,00",
        },
    )

    assert response.status_code == 302
    assert stock.on_hand(product, warehouse) == D("2.5")


def test_an_exit_short_of_stock_shows_the_shortfall(web, product, warehouse):
    response = web.post(
        reverse("inventory:move_new"),
        {
            "direction": "out",
            "warehouse": warehouse.pk,
            "counterpart": "scrap",
            "reason": "Quebra",
            "code_1": product.sku,
            "quantity_1": "1",
        },
        follow=True,
    )

    assert product.sku in response.content.decode()
    assert not StockMove.objects.exists()


def test_a_transfer_from_the_pages(web, stock, product, make_warehouse):
    depot, shop = make_warehouse("CD"), make_warehouse("LOJA")
    stock.receive(product, depot, "5")
    web.post(
        reverse("inventory:transfer_new"),
        {"from_warehouse": depot.pk, "to_warehouse": shop.pk, "code_1": product.sku, "quantity_1": "2"},
    )
    transfer = TransferOrder.objects.get()

    web.post(reverse("inventory:transfer_action", args=[transfer.pk, "ship"]))
    page = web.get(reverse("inventory:transfer", args=[transfer.pk])).content.decode()
    web.post(reverse("inventory:transfer_action", args=[transfer.pk, "receive"]))

    history = page.split('class="timeline"')[1]
    assert "<td>Rascunho</td><td>Em trânsito</td>" in history and "shipped" not in history
    assert stock.on_hand(product, shop) == D(2)


def test_a_count_typed_scanned_and_uploaded_then_posted(web, stock, make_product, warehouse):
    a, b = make_product("A-1", gtin="7891234567895"), make_product("B-2")
    stock.receive(a, warehouse, "4")
    stock.receive(b, warehouse, "4")
    web.post(reverse("inventory:count_new"), {"warehouse": warehouse.pk, "start": "1"})
    count = StockCount.objects.get()
    line_a = count.lines.get(product=a)

    web.post(reverse("inventory:count_action", args=[count.pk, "quantities"]), {f"line_{line_a.pk}": "1"})
    scanned = web.post(
        reverse("inventory:count_action", args=[count.pk, "scan"]),
        {"code": "7891234567895"},
        headers={"HX-Request": "true"},
    )
    web.post(
        reverse("inventory:count_action", args=[count.pk, "upload"]),
        {"file": SimpleUploadedFile("contagem.csv", b"SKU;quantidade\nB-2;3\n", content_type="text/csv")},
    )
    web.post(reverse("inventory:count_action", args=[count.pk, "post"]))

    assert 'id="count-lines"' in scanned.content.decode() and "<html" not in scanned.content.decode()
    assert (stock.on_hand(a, warehouse), stock.on_hand(b, warehouse)) == (D(2), D(3))
    kardex = web.get(reverse("inventory:kardex", args=[a.pk])).content.decode()
    assert 'data-source="inventory.count"' in kardex
    history = web.get(reverse("inventory:count", args=[count.pk])).content.decode().split('class="timeline"')[1]
    assert "<td>Em contagem</td><td>Postado</td>" in history and "counting" not in history
    moves = web.get(reverse("inventory:moves")).content.decode()
    assert f'<a href="{reverse("inventory:count", args=[count.pk])}">Ajuste do balanço</a>' in moves
    assert "inventory.count #" not in moves and "inventory.manual #" not in moves


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1e30", "1,12345", "99999999999999999999"])
def test_a_count_refuses_what_is_not_a_quantity_typed_or_uploaded(web, stock, product, warehouse, typed):
    """Issue 8: `NaN` in a count form was a 500; typed or in the uploaded sheet, it is a message now and
    nothing is saved."""
    stock.receive(product, warehouse, "4")
    web.post(reverse("inventory:count_new"), {"warehouse": warehouse.pk, "start": "1"})
    count = StockCount.objects.get()
    line = count.lines.get(product=product)

    page = web.post(reverse("inventory:count_action", args=[count.pk, "quantities"]), {f"line_{line.pk}": typed})
    sheet = SimpleUploadedFile("contagem.csv", f"SKU;quantidade\n{product.sku};{typed}\n".encode(), "text/csv")
    upload = web.post(reverse("inventory:count_action", args=[count.pk, "upload"]), {"file": sheet}, follow=True)

    assert page.status_code == 200 and typed in page.content.decode()
    assert upload.status_code == 200 and f"Quantidade inválida {typed}" in upload.content.decode()
    line.refresh_from_db()
    assert line.counted is None


def test_the_product_stock_panel_renders_for_a_product(web, stock, product, warehouse, rf, admin_user):
    from django.template.loader import render_to_string

    stock.receive(product, warehouse, "7", cost="2")
    request = rf.get("/")
    request.user = admin_user
    html = render_to_string(
        "inventory/partials/product_stock.html", {"product": product, "perms": None}, request=request
    )

    assert "LOJA" in html and "R$" in html


def _queries(web, url, limit):
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(url, {"limit": limit}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["balances", "moves", "below_minimum", "kardex", "transfers", "counts"])
def test_list_pages_run_the_same_number_of_queries_at_any_page_size(
    web, stock, make_product, make_warehouse, actor, name
):
    other = make_warehouse("CD")
    products = [make_product(minimum_stock=50) for _ in range(12)]
    for p in products:
        stock.receive(p, other, "3")
        stock.issue(p, other, "1")
        services.reserve([Need(p.pk, other.pk, D(1), Source("manual.order", p.pk, 1))], actor=actor)
        transfer = services.create_transfer(
            actor=actor,
            from_warehouse_id=other.pk,
            to_warehouse_id=make_warehouse().pk,
            lines=[services.TransferLineIn(p.pk, D(1))],
        )
        services.ship_transfer(transfer.pk, actor=actor)
        services.create_count(actor=actor, warehouse_id=other.pk)
    url = reverse("inventory:kardex", args=[products[0].pk]) if name == "kardex" else reverse(f"inventory:{name}")

    assert _queries(web, url, 2) == _queries(web, url, 10)


def _shirt(actor):
    from retaguarda.catalog import services as catalog

    parent = catalog.create_product(
        actor=actor, sku="CAM", name="Camiseta", ncm="61091000", price=D("50"), variations={"Tamanho": ["P", "M"]}
    )
    return parent, {v.sku: v for v in parent.variants.all()}


def test_the_product_list_shows_available_stock_and_a_parent_its_variants_total(web, stock, actor, warehouse):
    parent, variants = _shirt(actor)
    stock.receive(variants["CAM-P"], warehouse, "3")
    stock.receive(variants["CAM-M"], warehouse, "4")

    html = web.get(reverse("catalog:product_list")).content.decode()
    row = html.split('<td class="nowrap">CAM</td>')[1].split("</tr>")[0]
    detail = web.get(reverse("catalog:product_detail", args=[parent.pk])).content.decode()
    panel = detail.split('id="product-stock"')[1]

    assert "?q=CAM" in row and ">7</a>" in row
    assert "6109.10.00" in row
    assert "Soma das variações deste produto." in panel and "LOJA" in panel
    assert "Nenhum estoque" not in panel


def test_the_product_list_with_stock_runs_the_same_queries_at_any_size(web, stock, actor, warehouse, make_product):
    _parent, variants = _shirt(actor)
    stock.receive(variants["CAM-P"], warehouse, "1")
    stock.receive(make_product("S-00"), warehouse, "2")
    few = _queries(web, reverse("catalog:product_list"), 100)
    for i in range(1, 40):
        stock.receive(make_product(f"S-{i:02d}"), warehouse, "2")

    assert _queries(web, reverse("catalog:product_list"), 100) == few


def test_the_balance_list_totals_every_page(web, stock, warehouse, make_product):
    for i in range(3):
        stock.receive(make_product(f"T-{i}"), warehouse, "2", cost="5")

    html = web.get(reverse("inventory:balances"), {"limit": 2}).content.decode()
    totals = html.split('class="totals"')[1].split("</tr>")[0]

    assert ">6</td>" in totals and "R$\u00a030,00" in totals


def test_the_balance_list_counts_and_totals_every_page_in_one_query_with_its_filters(
    web, stock, actor, make_warehouse, make_product
):
    """The count and the totals come from one pass over the balances; each filter applies to both."""
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    cups = [make_product(f"CAN-{i}") for i in range(3)]
    plate = make_product("PRATO")
    for cup in cups:
        stock.receive(cup, shop, "2", cost="5")
    stock.receive(plate, depot, "4", cost="2.5")
    services.reserve([Need(cups[0].pk, shop.pk, D(1), Source("manual.order", 1, 1))], actor=actor)
    transfer = services.create_transfer(
        actor=actor,
        from_warehouse_id=shop.pk,
        to_warehouse_id=depot.pk,
        lines=[services.TransferLineIn(cups[1].pk, D(1))],
    )
    services.ship_transfer(transfer.pk, actor=actor)

    def totals(**params):
        response = web.get(reverse("inventory:balances"), {"limit": 1, **params})
        row = response.content.decode().split('class="totals"')[1].split("</th>")[1].split("</tr>")[0]
        cells = [cell.split(">", 1)[1] for cell in row.split("</td>")[:-1]]
        return response.context["window"].total, cells  # on hand, reserved, available, in transit, -, value

    # CAN-1's unit in transit is a row of the destination: CD holds PRATO and CAN-1 (in transit).
    assert totals() == (5, ["9", "1", "8", "1", "", "R$\u00a035,00"])  # 5 x R$ 5,00 + 4 x R$ 2,50
    assert totals(warehouse=shop.pk) == (3, ["5", "1", "4", "0", "", "R$\u00a025,00"])
    assert totals(q="CAN") == (4, ["5", "1", "4", "1", "", "R$\u00a025,00"])


def test_the_balance_at_a_date_totals_every_page_and_links_each_product_to_its_kardex(
    web, stock, warehouse, make_product
):
    products = [make_product(f"T-{i}") for i in range(3)]
    for product in products:
        stock.receive(product, warehouse, "2.5", cost="5")

    html = web.get(reverse("inventory:balances_at"), {"date": "2099-12-31", "limit": 2}).content.decode()
    totals = html.split('class="totals"')[1].split("</tr>")[0]

    assert ">7,5</td>" in totals  # three products of 2,5, two of them on this page
    assert reverse("inventory:kardex", args=[products[0].pk]) in html
    assert html.count("<tbody>") == 1 and html.split("<tbody>")[1].count("<tr>") == 2


def test_the_balance_list_counts_its_rows_and_pages_both_ways(web, stock, warehouse, make_product):
    for i in range(5):
        stock.receive(make_product(f"T-{i}"), warehouse, "1")

    first = web.get(reverse("inventory:balances"), {"limit": 2})
    second = web.get(reverse("inventory:balances"), {"limit": 2, "cursor": first.context["window"].next_cursor})
    back = web.get(reverse("inventory:balances"), {"limit": 2, "cursor": second.context["window"].previous_cursor})

    assert "5 registros" in first.content.decode()
    assert 'rel="prev"' not in first.content.decode() and 'rel="next"' in first.content.decode()
    assert [r.product.sku for r in second.context["rows"]] == ["T-2", "T-3"]
    assert 'rel="prev"' in second.content.decode()
    assert [r.product.sku for r in back.context["rows"]] == ["T-0", "T-1"]


def test_the_transfer_list_counts_its_rows_and_pages_both_ways(web, actor, product, make_warehouse):
    depot, shop = make_warehouse("CD"), make_warehouse("LOJA")
    for _ in range(3):
        services.create_transfer(
            actor=actor,
            from_warehouse_id=depot.pk,
            to_warehouse_id=shop.pk,
            lines=[services.TransferLineIn(product.pk, D(1))],
        )

    first = web.get(reverse("inventory:transfers"), {"limit": 2})
    second = web.get(reverse("inventory:transfers"), {"limit": 2, "cursor": first.context["window"].next_cursor})

    assert "3 registros" in first.content.decode()
    assert len(first.context["rows"]) == 2 and len(second.context["rows"]) == 1
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in second.content.decode()


def test_the_kardex_rows_escape_what_they_show_and_keep_every_cell(web, actor, make_product, make_warehouse):
    """The kardex writes its rows in the view (not the template): every text from the database is
    escaped there, and each row still has its eleven cells, figures in Brazilian format."""
    product = make_product("CAN-300")
    shop = make_warehouse("LOJA", "Loja <b>Paulista</b>")
    services.manual_move(
        actor=actor,
        warehouse_id=shop.pk,
        direction="in",
        counterpart="supplier",
        reason='Doação <script>alert("x")</script>',
        lines=[services.ManualLine(product.pk, D("1234.5"), unit_cost=D("8.4"), lot_code="L<1>")],
    )

    html = web.get(reverse("inventory:kardex", args=[product.pk])).content.decode()
    row = html.split('<tr data-source="inventory.manual">')[1].split("</tr>")[0]

    assert "<script>" not in html and "<b>Paulista" not in html
    assert "Doação &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert "Loja &lt;b&gt;Paulista&lt;/b&gt;" in row and "<td>L&lt;1&gt;</td>" in row
    assert f'<a href="{reverse("inventory:moves")}">Entrada manual</a>' in row
    assert row.count("<td") == 11
    assert '<td class="num">1.234,5</td>' in row and '<td class="num">R$\u00a010.369,80</td>' in row


def test_the_kardex_counts_its_moves_up_to_its_own_cap_and_says_there_are_more(
    web, stock, product, warehouse, monkeypatch
):
    from retaguarda.inventory import selectors

    monkeypatch.setattr(selectors, "KARDEX_COUNT_CAP", 3)
    for _ in range(3):
        stock.receive(product, warehouse, "1")
    exact = web.get(reverse("inventory:kardex", args=[product.pk])).content.decode()
    stock.receive(product, warehouse, "1")
    capped = web.get(reverse("inventory:kardex", args=[product.pk])).content.decode()

    assert "3 registros" in exact and "Mais de" not in exact
    assert "Mais de 3 registros" in capped


def test_the_kardex_heads_its_page_with_the_stock_and_finds_only_the_company_products(
    web, stock, actor, make_product, make_warehouse, make_company
):
    """The kardex reads its product and stock figures in one hand-written statement: on hand and available
    in the warehouses, in transit between them, the average cost and the value; a parent sums its variants."""
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    product = make_product("CAN-400")
    stock.receive(product, shop, "10", cost="4")
    stock.receive(product, shop, "10", cost="6")
    services.reserve([Need(product.pk, shop.pk, D(3), Source("manual.order", 1, 1))], actor=actor)
    transfer = services.create_transfer(
        actor=actor,
        from_warehouse_id=shop.pk,
        to_warehouse_id=depot.pk,
        lines=[services.TransferLineIn(product.pk, D(2))],
    )
    services.ship_transfer(transfer.pk, actor=actor)
    parent, variants = _shirt(actor)
    stock.receive(variants["CAM-P"], shop, "3")
    stock.receive(variants["CAM-M"], depot, "4")

    page = web.get(reverse("inventory:kardex", args=[product.pk]))
    shirt = web.get(reverse("inventory:kardex", args=[parent.pk]))
    foreign = make_product("FORA", company=make_company())

    figures = page.content.decode().split('<div class="figures">')[1].split("<form")[0]
    assert [f.split("<")[0] for f in figures.split('<div class="value">')[1:]] == [
        "18",  # on hand: 20 received, 2 shipped
        "2",  # in transit to the depot
        "15",  # available: 3 reserved
        "R$\u00a05,00",  # average cost
        "R$\u00a090,00",  # value of what is on hand
    ]
    assert page.context["stock"]["on_hand"] == D(18) and shirt.context["stock"]["on_hand"] == D(7)
    assert web.get(reverse("inventory:kardex", args=[foreign.pk])).status_code == 404
