"""The inventory's watch rules: each fires on its case and clears when the cause is fixed."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.inventory import rules
from retaguarda.inventory.models import ManualOperation, Reservation
from retaguarda.inventory.services import ManualLine, Need, Source, manual_move, release, reserve
from retaguarda.inventory.tests.conftest import D
from retaguarda.watch import registry
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence


def _keys(findings):
    return {(f.subject_type, str(f.subject_id)) for f in findings}


def test_below_minimum_fires_and_resolves_after_a_stock_entry(company, make_product, warehouse, stock):
    mug = make_product("CANECA", minimum_stock=10)
    stock.receive(mug, warehouse, 3)

    watch.evaluate(company.pk, codes=["inventory.below_minimum"])
    occ = Occurrence.objects.get(company=company, rule="inventory.below_minimum")
    assert (occ.subject_type, occ.subject_id, occ.department) == ("catalog.product", str(mug.pk), "stock")
    assert D(occ.figures["shortage"]["value"]) == D(7)
    assert "7" in occ.explanation and "10" in occ.explanation

    stock.receive(mug, warehouse, 10)
    watch.evaluate(company.pk, codes=["inventory.below_minimum"])
    occ.refresh_from_db()
    assert occ.state == "resolved"


def test_negative_stock_fires_and_clears(company, make_product, make_warehouse, stock):
    shop = make_warehouse(allow_negative=True)
    mug = make_product()
    stock.issue(mug, shop, 2)

    found = rules.negative_stock(company.pk, {})
    assert [f.figures["on_hand"].value for f in found] == [D("-2")]

    stock.receive(mug, shop, 2)
    assert rules.negative_stock(company.pk, {}) == []


def test_reserved_above_on_hand_fires_and_clears(company, make_product, make_warehouse, stock, actor):
    shop = make_warehouse(allow_negative=True)
    mug = make_product()
    stock.receive(mug, shop, 5)
    reserve([Need(mug.pk, shop.pk, D(4), Source("manual.order", 1, 1))], actor=actor)
    stock.issue(mug, shop, 3)

    found = rules.reserved_above_on_hand(company.pk, {})
    assert [(f.figures["reserved"].value, f.figures["on_hand"].value) for f in found] == [(D(4), D(2))]

    stock.receive(mug, shop, 5)
    assert rules.reserved_above_on_hand(company.pk, {}) == []


def test_a_reservation_older_than_the_threshold_is_stale_until_released(company, make_product, warehouse, stock, actor):
    mug = make_product()
    stock.receive(mug, warehouse, 5)
    [held] = reserve([Need(mug.pk, warehouse.pk, D(2), Source("manual.order", 9, 1))], actor=actor)
    assert rules.stale_reservation(company.pk, {"days": 7}) == []

    Reservation.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(days=10))
    found = rules.stale_reservation(company.pk, {"days": 7})
    assert _keys(found) == {("inventory.reservation", str(held.pk))}
    assert found[0].figures["days"].value == 10

    release(Source("manual.order", 9, 1), actor=actor)
    assert rules.stale_reservation(company.pk, {"days": 7}) == []


def test_the_rules_read_only_their_company(company, make_company, make_product, make_warehouse, stock):
    shop = make_warehouse(allow_negative=True)
    stock.issue(make_product(minimum_stock=5), shop, 1)
    other = make_company()
    assert rules.negative_stock(other.pk, {}) == []
    assert rules.below_minimum(other.pk, {}) == []


def test_the_hourly_ledger_check_opens_a_critical_occurrence_that_clears_with_the_drift(
    company, product, warehouse, stock
):
    from retaguarda.inventory.models import StockBalance
    from retaguarda.inventory.tasks import check_ledgers

    stock.receive(product, warehouse, "5")
    StockBalance.objects.filter(product=product).update(on_hand=7)  # a bug writing around the services

    assert check_ledgers.call() == 2
    drifts = Occurrence.objects.filter(company=company, rule="inventory.ledger_drift")
    assert {(o.severity, o.department, o.state) for o in drifts} == {("critical", "stock", "open")}
    on_hand = drifts.get(subject_id__endswith=":on_hand")
    assert (D(on_hand.figures["stored"]["value"]), D(on_hand.figures["expected"]["value"])) == (D(7), D(5))
    assert watch.evaluate(company.pk).rules > 0 and drifts.count() == 2  # not part of the 15-minute run

    StockBalance.objects.filter(product=product).update(on_hand=5)
    check_ledgers.call()
    assert set(drifts.values_list("state", flat=True)) == {"resolved"}


def test_a_stocked_lot_near_its_expiry_fires_until_it_leaves_the_stock(company, actor, make_product, warehouse, stock):
    from retaguarda.inventory.services import lot_for

    today = timezone.localdate()
    milk = make_product()
    soon = lot_for(actor=actor, product_id=milk.pk, code="L-SOON", expiry=today + timedelta(days=10))
    later = lot_for(actor=actor, product_id=milk.pk, code="L-LATER", expiry=today + timedelta(days=90))
    lot_for(actor=actor, product_id=milk.pk, code="L-EMPTY", expiry=today + timedelta(days=5))  # nothing in stock
    stock.receive(milk, warehouse, 4, lot=soon)
    stock.receive(milk, warehouse, 4, lot=later)

    [finding] = rules.lot_expiring(company.pk, {"days": 30})
    assert (finding.subject_id, finding.figures["days"].value, finding.figures["on_hand"].value) == (soon.pk, 10, D(4))

    stock.issue(milk, warehouse, 4, lot=soon)
    assert rules.lot_expiring(company.pk, {"days": 30}) == []


def test_stock_without_a_move_for_n_days_is_dead_until_it_moves(company, make_product, warehouse, stock, monkeypatch):
    vase = make_product()
    stock.receive(vase, warehouse, 3, cost="20")
    assert rules.dead_stock(company.pk, {"days": 90}) == []

    later = timezone.now() + timedelta(days=120)  # the ledger is append-only: move the clock, not the move
    with monkeypatch.context() as m:
        m.setattr(rules.timezone, "now", lambda: later)
        [finding] = rules.dead_stock(company.pk, {"days": 90})
    assert (finding.subject_id, D(finding.figures["value"].value)) == (vase.pk, D("60.00"))

    stock.issue(vase, warehouse, 1)
    with monkeypatch.context() as m:
        m.setattr(rules.timezone, "now", lambda: later - timedelta(days=100))
        assert rules.dead_stock(company.pk, {"days": 90}) == []


def _enter(actor, warehouse, *lines):
    """A manual entry from a supplier of (product, quantity[, lot code]) lines."""
    op, _moves = manual_move(
        actor=actor,
        warehouse_id=warehouse.pk,
        direction="in",
        counterpart="supplier",
        reason="Compra do fornecedor",
        lines=[ManualLine(p.pk, D(q), unit_cost=D("8.40"), lot_code=lot) for p, q, lot in lines],
    )
    return op


def test_a_manual_entry_resolves_the_below_minimum_occurrence_when_the_worker_delivers_its_event(
    company, actor, make_product, warehouse, stock
):
    mug = make_product("CANECA", minimum_stock=10)
    stock.receive(mug, warehouse, 3)
    watch.evaluate(company.pk, codes=["inventory.below_minimum"])
    occ = Occurrence.objects.get(company=company, rule="inventory.below_minimum")

    _enter(actor, warehouse, (mug, 12, ""))
    assert outbox.deliver_due() >= 1  # what the worker does after the entry commits: no 15-minute wait
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_a_document_evaluation_judges_the_stock_it_touched_as_the_rules_own_queries_do(
    company, actor, make_product, make_warehouse, stock
):
    """The evaluation after a stock document reads what it touched once and judges it in Python; the
    15-minute run's queries must find exactly the same, figures and labels included."""
    shop = make_warehouse(allow_negative=True)
    low, fine, negative, over = (make_product(minimum_stock=m) for m in (10, 2, 0, 0))
    stock.receive(low, shop, 3)
    stock.receive(fine, shop, 5)
    stock.issue(negative, shop, 2)
    stock.receive(over, shop, 5)
    reserve([Need(over.pk, shop.pk, D(4), Source("manual.order", 1, 1))], actor=actor)
    stock.issue(over, shop, 3)
    op = _enter(actor, shop, (low, 1, "L-7"), (fine, 1, ""), (negative, 1, ""), (over, 1, ""))

    document = ManualOperation._meta.label_lower
    triggered = registry.triggered_by(document, "posted")
    assert {r.code for r, _t in triggered} == {
        "inventory.below_minimum",
        "inventory.negative_stock",
        "inventory.reserved_above_on_hand",
    }
    key = lambda f: f.key  # noqa: E731
    with CaptureQueriesContext(connection) as shared, registry.evaluating(document, op.pk):
        scoped = {}
        for rule, trigger in triggered:
            ids = trigger.subject_ids(company.pk, op.pk)
            scoped[rule.code] = (ids, sorted(rule.find(company.pk, rule.defaults(), subjects=ids), key=key))
    assert len(shared.captured_queries) == 1  # the subjects and all three rules: one read
    for rule, _trigger in triggered:
        ids, found = scoped[rule.code]
        assert found, rule.code
        assert found == sorted((f for f in rule.find(company.pk, rule.defaults()) if str(f.subject_id) in ids), key=key)
    assert [f.subject_id for f in scoped["inventory.below_minimum"][1]] == [low.pk]
