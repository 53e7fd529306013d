"""Finance's watch rules: each fires on its case and clears when the cause is fixed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from retaguarda.finance import rules, services
from retaguarda.finance.models import StatementLine
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

from .conftest import D
from .test_ofx import FIXTURES

pytestmark = pytest.mark.django_db


def test_an_overdue_receivable_opens_for_finance_and_resolves_when_settled(
    company, actor, make_title, customer, cash_box
):
    today = timezone.localdate()
    title = make_title(
        "receivable", ("150.00",), party=customer, due=today - timedelta(days=3), issue=today - timedelta(days=30)
    )
    installment = title.installments.get()

    watch.evaluate(company.pk, codes=["finance.receivable_overdue"])
    occ = Occurrence.objects.get(company=company, rule="finance.receivable_overdue")
    assert (occ.subject_type, occ.subject_id, occ.department) == ("finance.installment", str(installment.pk), "finance")
    assert D(occ.figures["open"]["value"]) == D("150.00") and occ.figures["days"]["value"] == 3
    assert "R$\u00a0150,00" in occ.explanation

    services.settle(installment.pk, actor=actor, account_id=cash_box.pk)
    watch.evaluate(company.pk, codes=["finance.receivable_overdue"])
    occ.refresh_from_db()
    assert occ.state == "resolved"


def test_not_yet_due_or_within_grace_is_not_overdue(company, make_title):
    today = timezone.localdate()
    make_title("receivable", ("10.00",), due=today, issue=today - timedelta(days=5))
    make_title("payable", ("10.00",), due=today - timedelta(days=2), issue=today - timedelta(days=5))
    assert rules.receivable_overdue(company.pk, {"grace_days": 0}) == []
    assert rules.payable_overdue(company.pk, {"grace_days": 5}) == []
    assert len(rules.payable_overdue(company.pk, {"grace_days": 0})) == 1


def test_an_old_unreconciled_bank_line_fires_until_set_aside(company, actor, make_account):
    from retaguarda.br_tables.models import Bank

    account = make_account("BB", kind="bank", bank_id=Bank.objects.get(compe="001").pk, opening="0")
    data = (FIXTURES / "bb.ofx").read_bytes()  # lines of 2014: long past any threshold
    services.import_statement(actor=actor, data=data, file_name="bb.ofx", account_id=account.pk)
    lines = list(StatementLine.objects.filter(account=account))

    found = rules.unreconciled_line(company.pk, {"days": 5})
    assert {f.subject_id for f in found} == {line.pk for line in lines}

    services.set_ignored(lines[0].pk, actor=actor)
    assert {f.subject_id for f in rules.unreconciled_line(company.pk, {"days": 5})} == {line.pk for line in lines[1:]}


def test_settling_a_receivable_resolves_its_occurrence_through_the_outbox_without_a_full_run(
    company, actor, make_title, customer, cash_box
):
    from retaguarda.core import outbox
    from retaguarda.core.models import OutboxEvent
    from retaguarda.watch.triggers import EVENT

    today = timezone.localdate()
    paid, other = (
        make_title(
            "receivable", ("150.00",), party=customer, due=today - timedelta(days=3), issue=today - timedelta(days=30)
        )
        for _n in range(2)
    )
    watch.evaluate(company.pk, codes=["finance.receivable_overdue"])
    occurrences = {o.subject_id: o for o in Occurrence.objects.filter(company=company)}
    assert len(occurrences) == 2
    installment = paid.installments.get()

    services.settle(installment.pk, actor=actor, account_id=cash_box.pk)

    event = OutboxEvent.objects.filter(type=EVENT).latest("id")
    assert event.company_id == company.pk
    assert event.payload == {"document_type": "finance.title", "document_id": paid.pk, "to_state": "settled"}
    assert outbox.deliver_due() >= 1
    settled = Occurrence.objects.get(pk=occurrences[str(installment.pk)].pk)
    untouched = Occurrence.objects.get(pk=occurrences[str(other.installments.get().pk)].pk)
    assert (settled.state, settled.resolution) == ("resolved", "cleared")
    assert (untouched.state, untouched.updated_at) == ("open", occurrences[untouched.subject_id].updated_at)


def test_a_reversed_settlement_reopens_the_occurrence_through_the_outbox(
    company, actor, make_title, customer, cash_box
):
    from retaguarda.core import outbox

    today = timezone.localdate()
    title = make_title(
        "receivable", ("80.00",), party=customer, due=today - timedelta(days=3), issue=today - timedelta(days=30)
    )
    installment = title.installments.get()
    watch.evaluate(company.pk, codes=["finance.receivable_overdue"])
    settlement = services.settle(installment.pk, actor=actor, account_id=cash_box.pk)
    outbox.deliver_due()
    assert Occurrence.objects.get(company=company).state == "resolved"

    services.reverse_settlement(settlement.pk, actor=actor, reason="cheque devolvido")
    outbox.deliver_due()

    occ = Occurrence.objects.get(company=company)
    assert (occ.state, occ.times_opened) == ("open", 2)


def test_a_payable_the_projected_cash_cannot_cover_fires_both_cash_rules_until_money_comes_in(
    company, actor, make_account, make_title, customer
):
    today = timezone.localdate()
    bank = make_account("Banco", opening="100.00", opening_date=today - timedelta(days=60))
    rent = make_title("payable", ("500.00",), due=today + timedelta(days=3), issue=today - timedelta(days=5))
    make_title("payable", ("20.00",), due=today + timedelta(days=20), issue=today - timedelta(days=5))  # beyond 7 days
    codes = ["finance.cash_negative_soon", "finance.payable_short"]

    watch.evaluate(company.pk, codes=codes)

    negative = Occurrence.objects.get(company=company, rule="finance.cash_negative_soon")
    assert (negative.subject_type, negative.subject_id, negative.state) == (
        "companies.company",
        str(company.pk),
        "open",
    )
    assert negative.figures["day"]["value"] == (today + timedelta(days=3)).isoformat()
    assert D(negative.figures["lowest"]["value"]) == D("-420.00")
    short = Occurrence.objects.get(company=company, rule="finance.payable_short")
    assert short.subject_id == str(rent.installments.get().pk)
    assert D(short.figures["balance"]["value"]) == D("-400.00")

    sale = make_title("receivable", ("1000.00",), party=customer, due=today, issue=today - timedelta(days=5))
    services.settle(sale.installments.get().pk, actor=actor, account_id=bank.pk)
    watch.evaluate(company.pk, codes=codes)

    assert set(Occurrence.objects.filter(company=company).values_list("rule", "state")) == {
        ("finance.cash_negative_soon", "resolved"),
        ("finance.payable_short", "resolved"),
    }
