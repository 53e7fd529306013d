"""Sales' commercial watch rules: an order confirmed and not invoiced, a draft the stock cannot serve, a line
sold below cost plus the channel's fees, a customer over the credit limit. Each opens on its case, resolves
itself when the cause is fixed (through the order's or the receipt's event where one exists), and costs one
query however many orders it meets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retaguarda.finance import services as finance
from retaguarda.parties import services as parties
from retaguarda.sales import rules, services
from retaguarda.sales.errors import CreditLimitExceeded
from retaguarda.sales.tests.conftest import D, deliver_all
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

pytestmark = pytest.mark.django_db


def queries_of(find, company, params, **kwargs) -> tuple[list, int]:
    with CaptureQueriesContext(connection) as ctx:
        found = find(company.pk, params, **kwargs)
    return found, len(ctx.captured_queries)


def occurrence(company, code):
    return Occurrence.objects.get(company=company, rule=code)


@pytest.fixture
def later(monkeypatch):
    """Move the clock `hours` ahead (the order's timeline is append-only: its times cannot be moved back)."""

    def move(hours):
        ahead = timezone.now() + timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda: ahead)

    return move


# ----------------------------------------------------------------------------------- confirmed, not invoiced

WAITING = "sales.confirmed_not_invoiced"


def test_an_order_confirmed_and_not_invoiced_in_time_opens_for_sales_and_resolves_when_cancelled(
    actor, company, make_order, product, warehouse, stock, later, django_capture_on_commit_callbacks
):
    stock.receive(product, warehouse, "10", cost="4.00")
    orders = [make_order([(product, "1", "10")]) for _ in range(3)]
    for order in orders[:2]:
        services.confirm_order(order.pk, actor=actor)  # the third stays a draft: nothing to invoice yet
    assert rules.confirmed_not_invoiced(company.pk, {"hours": 48}) == []  # confirmed a moment ago

    later(50)
    found, cost = queries_of(rules.confirmed_not_invoiced, company, {"hours": 48})
    assert {f.subject_id for f in found} == {orders[0].pk, orders[1].pk} and cost == 1
    assert [f.figures["hours"].value for f in found] == [50, 50]
    assert rules.confirmed_not_invoiced(company.pk, {"hours": 51}) == []  # the threshold is the company's

    watch.evaluate(company.pk, codes=[WAITING])
    occ = Occurrence.objects.get(company=company, rule=WAITING, subject_id=str(orders[0].pk))
    assert (occ.subject_type, occ.department, occ.state) == ("sales.order", "sales", "open")
    assert f"Pedido {orders[0].number}" in occ.explanation and "50" in occ.explanation

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(orders[0].pk, actor=actor, reason="Cliente desistiu")
    deliver_all()  # the order's timeline event looks again at once
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")
    assert Occurrence.objects.get(company=company, rule=WAITING, subject_id=str(orders[1].pk)).state == "open"


# ---------------------------------------------------------------------------------------- cannot reserve

SHORT = "sales.cannot_reserve"


def test_a_draft_the_stock_cannot_serve_opens_when_another_order_takes_the_stock_and_clears_when_it_is_given_back(
    actor, company, make_order, make_product, make_kit, warehouse, stock, django_capture_on_commit_callbacks
):
    mug, lid = make_product(), make_product()
    stock.receive(mug, warehouse, "5", cost="4.00")
    stock.receive(lid, warehouse, "10", cost="1.00")
    kit = make_kit([(mug, "1"), (lid, "2")])
    # 2 mugs direct and 2 through the kit: 4 of the 5 on hand; 4 lids of the 10.
    draft = make_order([(mug, "2", "10"), (kit, "2", "30")])
    fits = make_order([(lid, "1", "3")])
    assert rules.cannot_reserve(company.pk, {"days": 30}) == []

    rival = make_order([(mug, "3", "10")])
    services.confirm_order(rival.pk, actor=actor)  # 2 mugs left: the draft asks for 4
    watch.evaluate(company.pk, codes=[SHORT])
    occ = occurrence(company, SHORT)
    assert (occ.subject_type, occ.subject_id, occ.department, occ.state) == (
        "sales.order",
        str(draft.pk),
        "sales",
        "open",
    )
    figures = occ.figures
    assert (D(figures["needed"]["value"]), D(figures["available"]["value"]), figures["products"]["value"]) == (
        D(4),
        D(2),
        1,
    )
    assert mug.sku in figures["product"]["value"] and "4" in occ.explanation

    found, cost = queries_of(rules.cannot_reserve, company, {"days": 30})
    assert [f.subject_id for f in found] == [draft.pk] and cost == 1
    assert rules.cannot_reserve(company.pk, {"days": 30}, subjects=[fits.pk]) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(rival.pk, actor=actor, reason="Cliente desistiu")
    deliver_all()  # the cancellation looks at once at the drafts of the products it gave back
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_order(draft.pk, actor=actor)  # what the rule said: it fits now

    stock.issue(mug, warehouse, "1")  # a breakage: no mug free, a new draft of 2 is short
    second = make_order([(mug, "2", "10")])
    watch.evaluate(company.pk, codes=[SHORT])
    again = Occurrence.objects.get(company=company, rule=SHORT, subject_id=str(second.pk))
    stock.receive(mug, warehouse, "5", cost="4.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(second.pk, actor=actor)  # the order itself is looked at on its cancellation
    deliver_all()
    again.refresh_from_db()
    assert (again.state, again.resolution) == ("resolved", "cleared")


def test_a_purchase_receipt_clears_the_drafts_waiting_for_its_products_at_once(
    actor, company, make_order, make_product, warehouse, stock, django_capture_on_commit_callbacks
):
    from retaguarda.parties.models import Party
    from retaguarda.purchasing import services as purchasing
    from retaguarda.purchasing.services import ReceiptIn, ReceiptLineIn

    mug = make_product()
    stock.receive(mug, warehouse, "1", cost="4.00")
    draft = make_order([(mug, "3", "10")])
    watch.evaluate(company.pk, codes=[SHORT])
    occ = occurrence(company, SHORT)
    assert (occ.subject_id, occ.state) == (str(draft.pk), "open")

    supplier = Party.objects.create(
        company=company, kind="company", document="11222333000181", legal_name="Fornecedor", is_supplier=True
    )
    receipt = purchasing.create_receipt(
        ReceiptIn(supplier.pk, warehouse.pk, [ReceiptLineIn(mug.pk, D("5"), D("4.00"), unit="UN", factor=D(1))]),
        actor=actor,
    )
    with django_capture_on_commit_callbacks(execute=True):
        purchasing.post_receipt(receipt.pk, actor=actor)
    deliver_all()
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_old_drafts_are_left_alone_and_other_companies_are_not_read(
    actor, company, make_company, make_order, product, warehouse, stock
):
    stock.receive(product, warehouse, "1", cost="4.00")
    make_order([(product, "5", "10")], order_date=timezone.localdate() - timedelta(days=40))
    assert rules.cannot_reserve(company.pk, {"days": 30}) == []
    assert len(rules.cannot_reserve(company.pk, {"days": 45})) == 1
    assert rules.cannot_reserve(make_company().pk, {"days": 45}) == []


# -------------------------------------------------------------------------------------------- below cost

BELOW = "sales.below_cost"


def test_a_line_below_cost_plus_the_channels_fees_opens_and_clears_when_the_price_is_corrected(
    actor, company, make_channel, make_order, make_product, warehouse, stock, django_capture_on_commit_callbacks
):
    marketplace = make_channel(kind="marketplace", fee_percent=D("16"), fee_fixed=D("6.00"))
    mug, pen = make_product(), make_product()
    stock.receive(mug, warehouse, "10", cost="10.00")
    stock.receive(pen, warehouse, "10", cost="1.00")
    # Mug: 2 x 12.00 = 24.00, fees 16% = 3.84 and 6.00 x 24/30 = 4.80: 15.36 kept against 20.00 of cost.
    # Pen: 2 x 3.00 = 6.00, fees 0.96 + 1.20: 3.84 kept against 2.00: fine.
    order = make_order([(mug, "2", "12.00"), (pen, "2", "3.00")], channel=marketplace)
    watch.evaluate(company.pk, codes=[BELOW])
    occ = occurrence(company, BELOW)
    assert (occ.subject_type, occ.subject_id, occ.department, occ.state) == (
        "sales.order",
        str(order.pk),
        "sales",
        "open",
    )
    fig = {k: v["value"] for k, v in occ.figures.items()}
    assert (fig["lines"], D(fig["revenue"]), D(fig["fees"]), D(fig["cost"]), D(fig["loss"])) == (
        1,
        D("24.00"),
        D("8.64"),
        D("20.00"),
        D("4.64"),
    )
    assert mug.sku in fig["product"] and "R$\xa04,64" in occ.explanation

    same_order_on_the_shop = make_order([(mug, "2", "12.00"), (pen, "2", "3.00")])  # no fees: 24.00 > 20.00
    found, cost = queries_of(rules.below_cost, company, {"margin_percent": 0})
    assert [f.subject_id for f in found] == [order.pk] and cost == 1
    # A margin of 25% over cost asks 25.00 of the mug on the shop too, and 2.50 of the pens (6.00: fine).
    assert {f.subject_id for f in rules.below_cost(company.pk, {"margin_percent": 25})} == {
        order.pk,
        same_order_on_the_shop.pk,
    }

    services.edit_draft(
        order.pk,
        actor=actor,
        version=order.version,
        lines=(services.LineIn(quantity=D(2), product_id=mug.pk, unit_price=D("16.00")),),
    )  # 32.00 - 5.12 - 6.00 = 20.88 kept: above the cost
    watch.evaluate(company.pk, codes=[BELOW])
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_a_kit_is_costed_by_its_components_and_a_line_given_away_is_below_cost(
    actor, company, make_order, make_product, make_kit, warehouse, stock
):
    mug, lid = make_product(), make_product()
    stock.receive(mug, warehouse, "10", cost="4.00")
    stock.receive(lid, warehouse, "10", cost="1.50")
    kit = make_kit([(mug, "1"), (lid, "2")])  # costs 7.00
    cheap_kit = make_order([(kit, "1", "6.90")])
    fine_kit = make_order([(kit, "1", "7.00")])
    free = make_order([(mug, "1", "0")])
    found = {f.subject_id: f for f in rules.below_cost(company.pk, {"margin_percent": 0})}
    assert set(found) == {cheap_kit.pk, free.pk} and fine_kit.pk not in found
    assert found[cheap_kit.pk].figures["cost"].value == D("7.00")
    assert found[free.pk].figures["loss"].value == D("4.00")


def test_an_invoiced_or_cancelled_order_leaves_the_below_cost_watch(
    actor, company, make_order, make_product, warehouse, stock, django_capture_on_commit_callbacks
):
    mug = make_product()
    stock.receive(mug, warehouse, "10", cost="10.00")
    order = make_order([(mug, "1", "8.00")])
    services.confirm_order(order.pk, actor=actor)
    watch.evaluate(company.pk, codes=[BELOW])
    occ = occurrence(company, BELOW)
    assert occ.state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order.pk, actor=actor, reason="Preço errado")
    deliver_all()
    occ.refresh_from_db()
    assert occ.state == "resolved"


# ------------------------------------------------------------------------------------------ credit limit

CREDIT = "sales.credit_limit"


def _receivable(actor, customer, value, days=20):
    finance.ensure_chart(actor.company_id)
    return finance.create_title(
        actor=actor,
        kind="receivable",
        category_role="sales",
        party_id=customer.pk,
        issue_date=timezone.localdate(),
        installments=[finance.InstallmentIn(timezone.localdate() + timedelta(days=days), D(value))],
    )


def test_a_customer_over_the_credit_limit_opens_for_finance_and_resolves_when_an_order_is_cancelled(
    actor, company, make_customer, make_order, product, warehouse, stock, django_capture_on_commit_callbacks
):
    stock.receive(product, warehouse, "100", cost="4.00")
    customer = make_customer(credit_limit="500.00")
    make_customer(credit_limit="0")  # not under credit control
    _receivable(actor, customer, "150.00")
    order = make_order([(product, "30", "10")], customer=customer)
    services.confirm_order(order.pk, actor=actor)  # 150 + 300 = 450: within 500
    assert rules.credit_limit(company.pk, {}) == []

    # Finance lowers the limit after the confirmation: the confirmation's own check counts the same sum.
    with django_capture_on_commit_callbacks(execute=True):
        parties.update_party(customer.pk, actor=actor, version=customer.version, credit_limit=D("400.00"))
    found, cost = queries_of(rules.credit_limit, company, {})
    assert [f.subject_id for f in found] == [customer.pk] and cost == 1
    watch.evaluate(company.pk, codes=[CREDIT])
    occ = occurrence(company, CREDIT)
    assert (occ.subject_type, occ.subject_id, occ.department, occ.state) == (
        "parties.party",
        str(customer.pk),
        "finance",
        "open",
    )
    fig = {k: D(v["value"]) for k, v in occ.figures.items() if v["kind"] == "money"}
    assert fig == {
        "limit": D("400.00"),
        "open": D("150.00"),
        "pending": D("300.00"),
        "exposure": D("450.00"),
        "excess": D("50.00"),
    }
    another = make_order([(product, "1", "10")], customer=customer)
    with pytest.raises(CreditLimitExceeded):  # the confirmation refuses what the rule reports
        services.confirm_order(another.pk, actor=actor)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order.pk, actor=actor, reason="Sem crédito")
    deliver_all()  # the cancellation looks at the customer again at once
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_a_settled_receivable_brings_the_customer_back_within_the_limit_at_once(
    actor, company, make_customer, django_capture_on_commit_callbacks
):
    customer = make_customer(credit_limit="100.00")
    with django_capture_on_commit_callbacks(execute=True):
        title = _receivable(actor, customer, "250.00")  # a sale on credit recorded in finance directly
    deliver_all()  # the title's own event finds the customer over the limit
    occ = occurrence(company, CREDIT)
    assert (occ.state, D(occ.figures["excess"]["value"])) == ("open", D("150.00"))

    account = finance.create_account(
        actor=actor, kind="cash", name="Caixa", opening_balance=D(0), opening_date=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        finance.settle(title.installments.get().pk, actor=actor, account_id=account.pk, paid=D("200.00"))
    deliver_all()
    occ.refresh_from_db()
    assert (occ.state, occ.resolution) == ("resolved", "cleared")


def test_the_rules_cost_one_query_whatever_the_orders(
    actor, company, make_customer, make_order, make_product, make_channel, warehouse, stock, later
):
    marketplace = make_channel(kind="marketplace", fee_percent=D("20"), fee_fixed=D("5.00"))
    customer = make_customer(credit_limit="10.00")

    def rows(n):
        for _ in range(n):
            item = make_product()
            stock.receive(item, warehouse, "1", cost="10.00")
            make_order([(item, "3", "9.00")], channel=marketplace, customer=customer)  # short and below cost
            confirmed = make_order([(item, "1", "9.00")], channel=marketplace)
            services.confirm_order(confirmed.pk, actor=actor)

    rows(1)
    few = {r: queries_of(getattr(rules, r), company, {"hours": 1, "days": 30, "margin_percent": 0}) for r in RULES}
    rows(4)
    later(2)
    many = {r: queries_of(getattr(rules, r), company, {"hours": 1, "days": 30, "margin_percent": 0}) for r in RULES}
    assert {r: cost for r, (_found, cost) in few.items()} == {r: 1 for r in RULES}
    assert {r: cost for r, (_found, cost) in many.items()} == {r: 1 for r in RULES}
    assert {r: len(found) for r, (found, _cost) in many.items()} == {
        "confirmed_not_invoiced": 5,
        "cannot_reserve": 5,
        "below_cost": 10,
        "credit_limit": 0,
    }


RULES = ("confirmed_not_invoiced", "cannot_reserve", "below_cost", "credit_limit")
