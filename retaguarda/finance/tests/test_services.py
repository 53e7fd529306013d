"""Titles, settlements, reversals, credits, transfers and direct entries: the ledger, its projections
and the journal stay exact together."""

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from retaguarda.core.errors import ValidationFailed
from retaguarda.finance import selectors, services
from retaguarda.finance.errors import AlreadyReversed, EntryReconciled, NotCancellable, OverSettlement
from retaguarda.finance.models import (
    EntryKind,
    FinancialEntry,
    JournalAccount,
    JournalEntry,
    JournalLine,
    Title,
)
from retaguarda.finance.services import InstallmentIn, ResultLine, SourceRef, Withholding
from retaguarda.finance.states import TitleState

from .conftest import D

pytestmark = pytest.mark.django_db


def journal(source_type, ref):
    entry = JournalEntry.objects.get(source_type=source_type, source_ref=str(ref))
    return sorted((line.account, line.amount) for line in entry.lines.all())


def test_the_default_chart_is_seeded_once_with_the_roles_the_services_use(company, category):
    services.ensure_chart(company.pk)
    services.ensure_chart(company.pk)

    assert category("sales").dre_group == "gross_revenue"
    assert category("cmv").dre_group == "cost_of_goods"
    assert category("purchases").posts_to == "inventory"
    assert {c.role for c in company_categories(company) if c.role} == services.chart.ROLES
    assert category("1.1.01").parent.code == "1.1"


def company_categories(company):
    from retaguarda.finance.models import Category

    return Category.objects.filter(company=company)


def test_a_receivable_in_three_installments_books_receivables_against_revenue(make_title, customer, no_drift):
    title = make_title("receivable", ["100.00", "100.00", "100.01"], party=customer)

    assert title.amount == D("300.01") and title.amount_open == D("300.01")
    assert [i.amount for i in title.installments.order_by("number")] == [D("100.00"), D("100.00"), D("100.01")]
    assert journal("finance.title", title.pk) == [("receivables", D("300.01")), ("result", D("-300.01"))]


def test_split_installments_add_up_exactly():
    parts = services.split_installments(D("100.00"), 3, date(2026, 1, 10))

    assert [p.amount for p in parts] == [D("33.34"), D("33.33"), D("33.33")]
    assert [p.due_date for p in parts] == [date(2026, 1, 10), date(2026, 2, 9), date(2026, 3, 11)]


def test_a_retry_with_the_same_source_returns_the_first_title(actor, customer):
    source = SourceRef("sales.order", "42")

    def create():
        return services.create_title(
            actor=actor,
            kind="receivable",
            category_role="sales",
            party_id=customer.pk,
            installments=[InstallmentIn(date(2026, 4, 1), D("50.00"))],
            issue_date=date(2026, 3, 1),
            source=source,
        )

    first, second = create(), create()

    assert first.pk == second.pk
    assert Title.objects.filter(source_type="sales.order").count() == 1


def test_a_partial_settlement_with_interest_fine_discount_and_withholding(
    make_title, customer, bank_account, actor, category, no_drift
):
    title = make_title("receivable", ["100.00"], party=customer)
    installment = title.installments.get()

    settlement = services.settle(
        installment.pk,
        actor=actor,
        on=date(2026, 3, 15),
        account_id=bank_account.pk,
        paid=D("60.00"),
        interest=D("2.00"),
        fine=D("1.00"),
        discount=D("5.00"),
        withholdings=[Withholding("irrf", D("1.50"))],
    )

    installment.refresh_from_db()
    title.refresh_from_db()
    bank_account.refresh_from_db()
    assert settlement.principal == D("63.50")  # 60 - 2 - 1 + 5 + 1.50
    assert installment.amount_open == D("36.50")
    assert (title.amount_open, title.state) == (D("36.50"), TitleState.PARTIAL)
    assert bank_account.balance == D("1060.00")
    kinds = sorted((e.kind, e.amount, e.cash_delta, e.principal_delta) for e in settlement.entries.all())
    assert kinds == [
        ("discount", D("5.00"), D("0.00"), D("5.00")),
        ("fine", D("1.00"), D("1.00"), D("0.00")),
        ("interest", D("2.00"), D("2.00"), D("0.00")),
        ("payment", D("57.00"), D("57.00"), D("57.00")),
        ("withholding", D("1.50"), D("0.00"), D("1.50")),
    ]
    lines = JournalEntry.objects.get(source_type="finance.settlement", source_ref=str(settlement.pk)).lines.all()
    by_account = {(line.account, line.category_id): line.amount for line in lines}
    assert by_account[("cash", None)] == D("60.00")
    assert by_account[("receivables", None)] == D("-63.50")
    assert by_account[("taxes_recoverable", None)] == D("1.50")
    assert by_account[("result", category("interest_received").pk)] == D("-2.00")
    assert by_account[("result", category("discounts_granted").pk)] == D("5.00")


def test_settling_everything_open_by_default_settles_the_title(make_title, bank_account, actor, no_drift):
    title = make_title("payable", ["80.00", "20.00"])
    first, second = title.installments.order_by("number")

    services.settle(first.pk, actor=actor, on=date(2026, 3, 10), account_id=bank_account.pk)
    services.settle(second.pk, actor=actor, on=date(2026, 4, 10), account_id=bank_account.pk)

    title.refresh_from_db()
    bank_account.refresh_from_db()
    assert (title.state, title.amount_open) == (TitleState.SETTLED, D("0"))
    assert bank_account.balance == D("900.00")


def test_split_payment_withholds_ibs_and_cbs_off_the_taxes_payable(make_title, customer, bank_account, actor, no_drift):
    title = make_title("receivable", ["1000.00"], party=customer)

    settlement = services.settle(
        title.installments.get().pk,
        actor=actor,
        account_id=bank_account.pk,
        on=date(2026, 3, 10),
        withholdings=[Withholding("cbs", D("88.00")), Withholding("ibs", D("1.00"))],
    )

    assert settlement.paid == D("911.00")
    lines = journal("finance.settlement", settlement.pk)
    assert ("taxes_payable", D("89.00")) in lines


def test_settling_more_than_is_open_is_refused_and_changes_nothing(make_title, bank_account, actor):
    title = make_title("receivable", ["100.00"])
    installment = title.installments.get()

    with pytest.raises(OverSettlement):
        services.settle(installment.pk, actor=actor, account_id=bank_account.pk, paid=D("100.01"))

    installment.refresh_from_db()
    assert installment.amount_open == D("100.00")
    assert FinancialEntry.objects.count() == 0


def test_bad_amounts_are_refused_with_every_problem_listed(make_title, bank_account, actor):
    title = make_title("receivable", ["100.00"])

    with pytest.raises(ValidationFailed) as err:
        services.settle(
            title.installments.get().pk,
            actor=actor,
            account_id=bank_account.pk,
            paid=D("10.001"),
            interest=D("-1"),
            withholdings=[Withholding("xyz", D("1"))],
        )

    assert {d["field"] for d in err.value.details} == {"paid", "interest", "withholdings.0.tax"}


def test_reversing_a_settlement_reopens_the_installment_and_returns_the_money(
    make_title, bank_account, actor, no_drift
):
    title = make_title("receivable", ["100.00"])
    settlement = services.settle(
        title.installments.get().pk, actor=actor, account_id=bank_account.pk, interest=D("3.00")
    )

    services.reverse_settlement(settlement.pk, actor=actor, reason="cheque devolvido")

    title.refresh_from_db()
    bank_account.refresh_from_db()
    assert (title.state, title.amount_open) == (TitleState.OPEN, D("100.00"))
    assert bank_account.balance == D("1000.00")
    reversed_rows = FinancialEntry.objects.exclude(reverses=None)
    assert sorted(r.amount for r in reversed_rows) == [D("-100.00"), D("-3.00")]
    with pytest.raises(AlreadyReversed) as again:
        services.reverse_settlement(settlement.pk, actor=actor)
    assert again.value.code == "finance.already_reversed"


def test_a_title_with_nothing_settled_is_cancelled_and_leaves_the_dre(make_title, bank_account, actor, no_drift):
    title = make_title("payable", ["300.00"])

    services.cancel_title(title.pk, actor=actor, reason="lançado em duplicidade")

    title.refresh_from_db()
    assert (title.state, title.amount_open) == (TitleState.CANCELLED, D("0"))
    lines = JournalLine.objects.filter(account=JournalAccount.RESULT, date=title.competence_date)
    assert sum(line.amount for line in lines) == 0


def test_a_settled_title_cannot_be_cancelled(make_title, bank_account, actor):
    title = make_title("payable", ["300.00"])
    services.settle(title.installments.get().pk, actor=actor, account_id=bank_account.pk, paid=D("10.00"))

    with pytest.raises(NotCancellable):
        services.cancel_title(title.pk, actor=actor)


def test_a_return_credit_reduces_the_last_installments_and_the_excess_is_owed_back(
    make_title, customer, bank_account, actor, no_drift
):
    title = make_title("receivable", ["100.00", "100.00"], party=customer)
    first = title.installments.order_by("number").first()
    services.settle(first.pk, actor=actor, account_id=bank_account.pk)

    refund = services.credit_title(title.pk, actor=actor, amount=D("150.00"), source=SourceRef("sales.return", "9"))
    again = services.credit_title(title.pk, actor=actor, amount=D("150.00"), source=SourceRef("sales.return", "9"))

    title.refresh_from_db()
    assert (title.state, title.amount_open) == (TitleState.SETTLED, D("0"))
    assert refund.kind == "payable" and refund.amount == D("50.00") and refund.party_id == customer.pk
    assert again.pk == refund.pk


def test_transfers_move_money_between_accounts(bank_account, cash_box, actor, no_drift):
    services.transfer(actor=actor, from_account_id=cash_box.pk, to_account_id=bank_account.pk, amount=D("150.00"))

    bank_account.refresh_from_db()
    cash_box.refresh_from_db()
    assert (bank_account.balance, cash_box.balance) == (D("1150.00"), D("50.00"))


def test_a_direct_entry_follows_its_category(bank_account, actor, category, no_drift):
    services.record_direct(
        actor=actor, account_id=bank_account.pk, category_id=category("bank_fees").pk, amount=D("12.90")
    )

    bank_account.refresh_from_db()
    assert bank_account.balance == D("987.10")


def test_post_result_books_cmv_against_inventory_once_per_source(actor, category, no_drift):
    source = SourceRef("sales.invoice_cost", "17")

    first = services.post_result(actor=actor, on=date(2026, 3, 5), source=source, lines=[ResultLine("cmv", D("61.20"))])
    second = services.post_result(
        actor=actor, on=date(2026, 3, 5), source=source, lines=[ResultLine("cmv", D("61.20"))]
    )

    assert first.pk == second.pk
    lines = sorted((line.account, line.amount, line.category_id) for line in first.lines.all())
    assert lines == [("inventory", D("-61.20"), None), ("result", D("61.20"), category("cmv").pk)]


def test_the_ledger_refuses_update_and_delete(make_title, bank_account, actor):
    title = make_title("receivable", ["10.00"])
    services.settle(title.installments.get().pk, actor=actor, account_id=bank_account.pk)
    entry = FinancialEntry.objects.first()

    for statement in ("UPDATE finance_financialentry SET amount = 1", "DELETE FROM finance_financialentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    entry.refresh_from_db()
    assert entry.kind == EntryKind.PAYMENT


def test_the_database_refuses_an_unbalanced_journal_entry(company):
    import uuid

    entry_id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.create(
            entry_id=entry_id, company=company, date=date(2026, 1, 1), account="inventory", amount=D("10.00")
        )
        JournalLine.objects.create(
            entry_id=entry_id, company=company, date=date(2026, 1, 1), account="opening", amount=D("-9.99")
        )
        JournalEntry.objects.create(
            id=entry_id, company=company, date=date(2026, 1, 1), description="x", source_type="t", source_ref="1"
        )


def test_a_line_cannot_be_added_to_a_posted_entry(company, actor):
    from retaguarda.finance.services.journal import JLine, post_journal

    entry = post_journal(
        company_id=company.pk,
        on=date(2026, 1, 1),
        description="x",
        source_type="t",
        source_ref="1",
        lines=[JLine("inventory", D("5.00")), JLine("opening", D("-5.00"))],
        actor=actor,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        JournalLine.objects.create(entry=entry, company=company, date=entry.date, account="opening", amount=D("1.00"))


def test_drift_finds_a_tampered_projection(make_title, bank_account):
    make_title("receivable", ["10.00"])
    from retaguarda.finance.models import CashAccount

    CashAccount.objects.filter(pk=bank_account.pk).update(balance=D("999.99"))

    found = selectors.drift()
    assert {d.what for d in found} == {"account", "account journal"}


def test_a_reconciled_entry_cannot_be_reversed(make_title, bank_account, actor, company):
    from retaguarda.finance.models import BankStatement, Reconciliation, StatementLine

    title = make_title("receivable", ["10.00"])
    settlement = services.settle(title.installments.get().pk, actor=actor, account_id=bank_account.pk)
    statement = BankStatement.objects.create(company=company, account=bank_account, file_name="x.ofx", file_sha256="0")
    line = StatementLine.objects.create(
        company=company, account=bank_account, statement=statement, fitid="1", date=date(2026, 3, 10), amount=D("10.00")
    )
    Reconciliation.objects.create(company=company, line=line, entry=settlement.entries.get())

    with pytest.raises(EntryReconciled):
        services.reverse_settlement(settlement.pk, actor=actor)
