from datetime import date

import pytest
from django.db import connection, transaction

from retaguarda.catalog.models import Product
from retaguarda.core.bulk_insert import insert_together
from retaguarda.core.errors import InvalidTransition, ValidationFailed
from retaguarda.core.models import DocumentEvent
from retaguarda.inventory import selectors, services
from retaguarda.inventory.errors import AlreadyPosted, AlreadyReserved, InsufficientStock, NegativeStockExists
from retaguarda.inventory.models import LocationKind, ProductCost, Reservation, StockMove
from retaguarda.inventory.services import CountEntry, ManualLine, MoveIn, Need, Source, TransferLineIn
from retaguarda.inventory.services.posting import STOCK_PRODUCT_FIELDS
from retaguarda.inventory.states import CountState, ReservationState, TransferState

from .conftest import D


def test_a_receipt_puts_stock_in_the_warehouse_at_its_cost(stock, product, warehouse):
    stock.receive(product, warehouse, "10", cost="12.50")

    assert stock.on_hand(product, warehouse) == D(10)
    cost = ProductCost.objects.get(product=product)
    assert (cost.average_cost, cost.quantity) == (D("12.5"), D(10))


def test_average_cost_is_weighted_by_quantity_and_frozen_on_issues(stock, product, warehouse):
    stock.receive(product, warehouse, "10", cost="10")
    stock.receive(product, warehouse, "30", cost="20")

    [issue] = stock.issue(product, warehouse, "5")

    assert issue.unit_cost == D("17.5")  # (10*10 + 30*20) / 40
    stock.receive(product, warehouse, "5", cost="30")
    cost = ProductCost.objects.get(product=product)
    assert cost.quantity == D(40)
    assert cost.average_cost == D("19.0625")  # (35*17.5 + 5*30) / 40


def test_an_exit_beyond_available_is_refused_listing_every_product_short(
    stock, make_product, warehouse, company, actor
):
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    stock.receive(a, warehouse, "2")
    stock.receive(c, warehouse, "9")
    customer = services.virtual_location(company.pk, LocationKind.CUSTOMER)
    loc = services.stock_location(warehouse)

    with pytest.raises(InsufficientStock) as err:
        services.post_moves(
            [
                MoveIn(a.pk, D(3), loc.pk, customer.pk, Source("t", 1, 1)),
                MoveIn(b.pk, D(1), loc.pk, customer.pk, Source("t", 1, 2)),
                MoveIn(c.pk, D(1), loc.pk, customer.pk, Source("t", 1, 3)),
            ],
            actor=actor,
        )

    assert err.value.code == "inventory.insufficient_stock"
    assert [(s.sku, s.requested, s.available) for s in err.value.shortfalls] == [("A", D(3), D(2)), ("B", D(1), D(0))]
    assert stock.on_hand(c, warehouse) == D(9)  # nothing half-posted
    assert not StockMove.objects.filter(source_type="t").exists()


def test_a_warehouse_allowing_negative_stock_lets_exits_go_below_zero(stock, product, make_warehouse):
    shop = make_warehouse("PDV", allow_negative=True)
    stock.receive(product, shop, "1")

    stock.issue(product, shop, "3")

    assert stock.on_hand(product, shop) == D(-2)


def test_forbidding_negative_stock_is_refused_while_a_balance_is_negative(stock, product, make_warehouse, actor):
    shop = make_warehouse("PDV", allow_negative=True)
    stock.issue(product, shop, "1")

    with pytest.raises(NegativeStockExists):
        services.update_warehouse(shop.pk, actor=actor, version=shop.version, allow_negative=False)


def test_posting_the_same_source_line_twice_is_refused(stock, product, warehouse, company, actor):
    supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER)
    move = MoveIn(
        product.pk,
        D(1),
        supplier.pk,
        services.stock_location(warehouse).pk,
        Source("purchasing.receipt", 7, 1),
        unit_cost=D(1),
    )
    services.post_moves([move], actor=actor)

    with pytest.raises(AlreadyPosted):
        services.post_moves([move], actor=actor)

    assert stock.on_hand(product, warehouse) == D(1)


def test_moves_refuse_services_and_products_of_another_company(make_product, make_company, warehouse, company, actor):
    service = make_product(product_type="service")
    foreign = make_product(company=make_company())
    supplier = services.virtual_location(company.pk, LocationKind.SUPPLIER)
    loc = services.stock_location(warehouse)

    for product in (service, foreign):
        with pytest.raises(ValidationFailed):
            services.post_moves([MoveIn(product.pk, D(1), supplier.pk, loc.pk, Source("t", product.pk))], actor=actor)


def test_issues_without_a_lot_take_the_first_lot_to_expire(stock, product, warehouse, actor):
    late = services.lot_for(actor=actor, product_id=product.pk, code="L2", expiry=date(2027, 6, 1))
    early = services.lot_for(actor=actor, product_id=product.pk, code="L1", expiry=date(2027, 1, 1))
    stock.receive(product, warehouse, "5", lot=late)
    stock.receive(product, warehouse, "3", lot=early)

    assert [(lot.code, qty) for lot, qty in selectors.fefo(product.pk, warehouse.pk, D(4))] == [
        ("L1", D(3)),
        ("L2", D(1)),
    ]
    moves = stock.issue(product, warehouse, "4")

    assert sorted((m.lot.code, m.quantity) for m in moves) == [("L1", D(3)), ("L2", D(1))]


def test_reservations_hold_stock_and_release_gives_it_back(stock, product, warehouse, actor):
    stock.receive(product, warehouse, "5")
    line = Source("manual.order", 1, 1)

    services.reserve([Need(product.pk, warehouse.pk, D(3), line)], actor=actor)

    assert (stock.reserved(product, warehouse), stock.available(product, warehouse)) == (D(3), D(2))
    with pytest.raises(InsufficientStock):
        services.reserve([Need(product.pk, warehouse.pk, D(3), Source("manual.order", 2, 1))], actor=actor)
    with pytest.raises(InsufficientStock):
        stock.issue(product, warehouse, "3")  # reserved stock cannot leave through another door
    services.release(line, actor=actor)
    assert stock.available(product, warehouse) == D(5)


def test_reserving_the_same_line_twice_is_refused(stock, product, warehouse, actor):
    stock.receive(product, warehouse, "5")
    need = Need(product.pk, warehouse.pk, D(1), Source("manual.order", 1, 1))
    services.reserve([need], actor=actor)

    with pytest.raises(AlreadyReserved):
        services.reserve([need], actor=actor)

    assert stock.reserved(product, warehouse) == D(1)


def test_a_retry_of_a_reservation_that_took_the_last_units_is_told_it_is_already_reserved(
    stock, product, warehouse, actor
):
    stock.receive(product, warehouse, "2")
    need = Need(product.pk, warehouse.pk, D(2), Source("manual.order", 1, 1))
    services.reserve([need], actor=actor)

    with pytest.raises(AlreadyReserved):
        services.reserve([need], actor=actor)  # not "insufficient stock": its own reservation took them


def test_a_refused_twin_leaves_the_callers_transaction_usable(stock, make_product, warehouse, actor):
    a, b = make_product(), make_product()
    stock.receive(a, warehouse, "5")
    stock.receive(b, warehouse, "5")
    services.reserve([Need(a.pk, warehouse.pk, D(1), Source("manual.order", 1, 1))], actor=actor)

    with transaction.atomic():
        with pytest.raises(AlreadyReserved):
            # line 1 of the document is held (by another product, so no unique index would notice)
            services.reserve(
                [
                    Need(b.pk, warehouse.pk, D(1), Source("manual.order", 1, 2)),
                    Need(b.pk, warehouse.pk, D(1), Source("manual.order", 1, 1)),
                ],
                actor=actor,
            )
        services.reserve([Need(b.pk, warehouse.pk, D(1), Source("manual.order", 2, 1))], actor=actor)

    assert (stock.reserved(a, warehouse), stock.reserved(b, warehouse)) == (D(1), D(1))
    assert Reservation.objects.filter(source_id=1).count() == 1


def test_many_reservations_are_written_in_batches_each_with_its_id(stock, make_product, warehouse, actor, monkeypatch):
    from django.db import connection

    # SQLite's statements hold as many rows as its parameter limit allows (PostgreSQL's one array per
    # column holds any number): small batches here, the first of them carrying the twin check.
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 2)
    products = [make_product() for _ in range(5)]
    for p in products:
        stock.receive(p, warehouse, "10")
    needs = [Need(p.pk, warehouse.pk, D(i), Source("manual.order", 4, i)) for i, p in enumerate(products, 1)]

    created = services.reserve(needs, actor=actor)

    stored = {r.pk: (r.product_id, r.quantity, r.source_line) for r in Reservation.objects.filter(source_id=4)}
    assert {r.pk: (r.product_id, r.quantity, r.source_line) for r in created} == stored
    assert len(stored) == 5
    assert [stock.reserved(p, warehouse) for p in products] == [D(1), D(2), D(3), D(4), D(5)]


def test_a_caller_may_hand_over_the_products_it_read_and_their_company_is_still_checked(
    stock, make_product, make_company, warehouse, actor
):
    a, other_company_product = make_product(), make_product(company=make_company())
    stock.receive(a, warehouse, "5")
    read = Product.objects.only(*STOCK_PRODUCT_FIELDS).in_bulk([a.pk, other_company_product.pk])

    with pytest.raises(ValidationFailed):
        services.reserve(
            [Need(other_company_product.pk, warehouse.pk, D(1), Source("manual.order", 5, 1))],
            actor=actor,
            products=read,
        )
    [made] = services.reserve(
        [Need(a.pk, warehouse.pk, D(2), Source("manual.order", 5, 1))], actor=actor, products=read
    )

    assert (made.product, made.quantity, stock.reserved(a, warehouse)) == (read[a.pk], D(2), D(2))
    assert set(read) == {a.pk, other_company_product.pk}  # the caller's dict is left as it was


def test_a_lock_sent_ahead_is_the_reservations_own_and_none_where_it_would_lock_more(
    stock, make_product, make_kit, warehouse, actor
):
    a, b = make_product(), make_product()
    kit = make_kit([(a, "1")])
    stock.receive(a, warehouse, "5")
    stock.receive(b, warehouse, "5")
    read = Product.objects.only(*STOCK_PRODUCT_FIELDS).in_bulk([a.pk, b.pk, kit.pk])
    stocks = {warehouse.pk: services.stock_location(warehouse)}

    def needs(*products):
        return [Need(p.pk, warehouse.pk, D(1), Source("manual.order", 7, n)) for n, p in enumerate(products, 1)]

    # a kit: its parts' rows would be locked after these
    assert services.balance_lock(needs(kit), actor=actor, products=read, stocks=stocks) is None
    lock = services.balance_lock(needs(a), actor=actor, products=read, stocks=stocks)
    if connection.vendor != "postgresql":
        assert lock is None  # the reservation reads the rows with the products there, and locks nothing
        return
    with transaction.atomic():
        with pytest.raises(RuntimeError):  # not sent yet
            services.reserve(needs(a), actor=actor, products=read, stocks=stocks, locked=lock)
        insert_together(rider=lock)  # no rows of its own to ride with: sent alone
        with pytest.raises(RuntimeError):  # b's rows are not locked by it: a second lock would break the order
            services.reserve(needs(a, b), actor=actor, products=read, stocks=stocks, locked=lock)
        [made] = services.reserve(needs(a), actor=actor, products=read, stocks=stocks, locked=lock)
    assert (made.quantity, stock.reserved(a, warehouse)) == (D(1), D(1))


def test_reserving_is_all_lines_or_none(stock, make_product, warehouse, actor):
    a, b = make_product(), make_product()
    stock.receive(a, warehouse, "5")

    with pytest.raises(InsufficientStock) as err:
        services.reserve(
            [
                Need(a.pk, warehouse.pk, D(2), Source("manual.order", 1, 1)),
                Need(b.pk, warehouse.pk, D(1), Source("manual.order", 1, 2)),
            ],
            actor=actor,
        )

    assert [s.product_id for s in err.value.shortfalls] == [b.pk]
    assert stock.reserved(a, warehouse) == D(0)


def test_consuming_a_reservation_issues_the_reserved_stock(stock, product, warehouse, actor):
    stock.receive(product, warehouse, "5", cost="4")
    line = Source("manual.order", 9, 1)
    services.reserve([Need(product.pk, warehouse.pk, D(5), line)], actor=actor)

    [move] = services.consume(line, actor=actor)

    assert (move.quantity, move.unit_cost, move.to_location.kind) == (D(5), D(4), LocationKind.CUSTOMER)
    assert (stock.on_hand(product, warehouse), stock.reserved(product, warehouse)) == (D(0), D(0))
    assert Reservation.objects.get(source_id=9).state == ReservationState.CONSUMED


def test_reservations_never_oversell_even_where_negative_stock_is_allowed(stock, product, make_warehouse, actor):
    shop = make_warehouse("PDV", allow_negative=True)
    stock.receive(product, shop, "1")

    with pytest.raises(InsufficientStock):
        services.reserve([Need(product.pk, shop.pk, D(2), Source("manual.order", 1, 1))], actor=actor)


def test_kits_reserve_and_move_their_components(stock, make_product, make_kit, warehouse, actor):
    cup, saucer = make_product("XIC"), make_product("PIR")
    kit = make_kit([(cup, "2"), (saucer, "1")])
    stock.receive(cup, warehouse, "10", cost="5")
    stock.receive(saucer, warehouse, "10", cost="3")

    services.reserve([Need(kit.pk, warehouse.pk, D(3), Source("manual.order", 1, 1))], actor=actor)
    assert (stock.reserved(cup, warehouse), stock.reserved(saucer, warehouse)) == (D(6), D(3))

    moves = stock.issue(kit, warehouse, "2")
    assert sorted((m.product_id, m.quantity) for m in moves) == sorted([(cup.pk, D(4)), (saucer.pk, D(2))])
    assert stock.available(cup, warehouse) == D(0)  # 10 - 4 issued - 6 reserved


def test_a_transfer_leaves_now_travels_in_transit_and_arrives_on_receipt(stock, product, make_warehouse, actor):
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    stock.receive(product, depot, "10", cost="7")
    transfer = services.create_transfer(
        actor=actor, from_warehouse_id=depot.pk, to_warehouse_id=shop.pk, lines=[TransferLineIn(product.pk, D(4))]
    )

    services.ship_transfer(transfer.pk, actor=actor)

    assert stock.on_hand(product, depot) == D(6)
    assert stock.row(product, shop)["in_transit"] == D(4)
    assert stock.on_hand(product, shop) == D(0)

    transfer = services.receive_transfer(transfer.pk, actor=actor)

    assert transfer.state == TransferState.RECEIVED
    assert (stock.on_hand(product, shop), stock.row(product, shop)["in_transit"]) == (D(4), D(0))
    assert ProductCost.objects.get(product=product).average_cost == D(7)  # moving inside the company keeps the cost
    states = list(
        DocumentEvent.objects.filter(document_type="inventory.transferorder", document_id=transfer.pk).values_list(
            "to_state", flat=True
        )
    )
    assert states == ["draft", "shipped", "received"]


def test_a_transfer_short_of_stock_stays_a_draft(stock, product, make_warehouse, actor):
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    transfer = services.create_transfer(
        actor=actor, from_warehouse_id=depot.pk, to_warehouse_id=shop.pk, lines=[TransferLineIn(product.pk, D(1))]
    )

    with pytest.raises(InsufficientStock):
        services.ship_transfer(transfer.pk, actor=actor)

    transfer.refresh_from_db()
    assert transfer.state == TransferState.DRAFT
    with pytest.raises(InvalidTransition):
        services.receive_transfer(transfer.pk, actor=actor)


def test_lots_travel_with_a_transfer(stock, product, make_warehouse, actor):
    shop, depot = make_warehouse("LOJA"), make_warehouse("CD")
    lot = services.lot_for(actor=actor, product_id=product.pk, code="L1", expiry=date(2027, 1, 1))
    stock.receive(product, depot, "3", lot=lot)
    transfer = services.create_transfer(
        actor=actor, from_warehouse_id=depot.pk, to_warehouse_id=shop.pk, lines=[TransferLineIn(product.pk, D(3))]
    )
    services.ship_transfer(transfer.pk, actor=actor)
    services.receive_transfer(transfer.pk, actor=actor)

    [row] = selectors.product_stock(product)["lots"]
    assert (row.lot.code, row.warehouse_id, row.on_hand) == ("L1", shop.pk, D(3))


def test_a_count_posts_the_differences_as_adjustments(stock, make_product, warehouse, actor):
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    stock.receive(a, warehouse, "10", cost="2")
    stock.receive(b, warehouse, "5", cost="3")
    count = services.create_count(actor=actor, warehouse_id=warehouse.pk)
    services.start_count(count.pk, actor=actor)

    services.record_counts(
        count.pk, [CountEntry(a.pk, D(8)), CountEntry(b.pk, D(5)), CountEntry(c.pk, D(2))], actor=actor
    )
    services.post_count(count.pk, actor=actor)

    count.refresh_from_db()
    assert count.state == CountState.POSTED
    assert [stock.on_hand(p, warehouse) for p in (a, b, c)] == [D(8), D(5), D(2)]
    adjustments = StockMove.objects.filter(source_type="inventory.count", source_id=count.pk)
    assert sorted((m.product_id, m.quantity, m.to_location.kind) for m in adjustments) == sorted(
        [(a.pk, D(2), LocationKind.ADJUSTMENT), (c.pk, D(2), LocationKind.INTERNAL)]
    )
    assert {line.product_id: line.difference for line in count.lines.all()} == {a.pk: D(-2), b.pk: D(0), c.pk: D(2)}


def test_a_count_compares_with_the_stock_at_posting_time(stock, product, warehouse, actor):
    stock.receive(product, warehouse, "10")
    count = services.create_count(actor=actor, warehouse_id=warehouse.pk, product_ids=[product.pk])
    services.start_count(count.pk, actor=actor)
    services.record_counts(count.pk, [CountEntry(product.pk, D(7))], actor=actor)
    stock.issue(product, warehouse, "3")  # sold while counting

    services.post_count(count.pk, actor=actor)

    assert stock.on_hand(product, warehouse) == D(7)
    assert not StockMove.objects.filter(source_type="inventory.count").exists()


def test_scans_add_one_unit_per_read_by_gtin_or_sku(make_product, warehouse, actor):
    product = make_product("CAN-01", gtin="7891234567895")
    count = services.create_count(actor=actor, warehouse_id=warehouse.pk, product_ids=[product.pk])
    services.start_count(count.pk, actor=actor)

    services.scan(count.pk, "7891234567895", actor=actor)
    services.scan(count.pk, "7891234567895", actor=actor)
    line = services.scan(count.pk, "can-01", actor=actor)

    assert line.counted == D(3)
    with pytest.raises(ValidationFailed):
        services.scan(count.pk, "0000000000000", actor=actor)


def test_a_count_csv_is_sku_semicolon_quantity(make_product, warehouse, actor):
    a, b = make_product("A-1"), make_product("B-2")
    count = services.create_count(actor=actor, warehouse_id=warehouse.pk)
    services.start_count(count.pk, actor=actor)

    entries = services.parse_count_csv(count.pk, "SKU;quantidade\nA-1;3\nb-2;1,5\n", actor=actor)

    assert entries == [CountEntry(a.pk, D(3)), CountEntry(b.pk, D("1.5"))]
    with pytest.raises(ValidationFailed) as err:
        services.parse_count_csv(count.pk, "A-1;2\nA-1;x\nZZZ;1\n", actor=actor)
    assert len(err.value.details) == 2


def test_manual_entry_and_exit_need_a_reason_and_keep_it_on_the_moves(stock, product, warehouse, actor):
    with pytest.raises(ValidationFailed):
        services.manual_move(
            actor=actor, warehouse_id=warehouse.pk, direction="in", reason=" ", lines=[ManualLine(product.pk, D(1))]
        )

    _op, [move] = services.manual_move(
        actor=actor,
        warehouse_id=warehouse.pk,
        direction="in",
        counterpart="supplier",
        reason="Saldo inicial",
        lines=[ManualLine(product.pk, D(6), unit_cost=D("2.5"), lot_code="L9", expiry=date(2027, 3, 1))],
    )
    assert (move.reason, move.lot.code, move.unit_cost) == ("Saldo inicial", "L9", D("2.5"))
    services.manual_move(
        actor=actor,
        warehouse_id=warehouse.pk,
        direction="out",
        counterpart="scrap",
        reason="Quebra",
        lines=[ManualLine(product.pk, D(1))],
    )
    assert stock.on_hand(product, warehouse) == D(5)


def test_balances_always_equal_the_sum_of_moves(stock, product, make_warehouse, actor):
    shop, depot = make_warehouse(), make_warehouse()
    stock.receive(product, depot, "10")
    services.reserve([Need(product.pk, depot.pk, D(2), Source("manual.order", 1, 1))], actor=actor)
    transfer = services.create_transfer(
        actor=actor, from_warehouse_id=depot.pk, to_warehouse_id=shop.pk, lines=[TransferLineIn(product.pk, D(3))]
    )
    services.ship_transfer(transfer.pk, actor=actor)

    assert selectors.drift() == []
