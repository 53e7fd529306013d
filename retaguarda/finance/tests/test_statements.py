"""Importing OFX statements (deduplicated by account + FITID) and reconciling their lines."""

from datetime import date

import pytest

from retaguarda.core.errors import ValidationFailed
from retaguarda.finance import selectors, services
from retaguarda.finance.errors import LineLocked, NotOfx, ReconciliationMismatch, UnknownStatementAccount
from retaguarda.finance.models import BankStatement, Reconciliation, StatementLine
from retaguarda.finance.services import CreateIn, SettleIn
from retaguarda.finance.states import LineState

from .conftest import D
from .test_ofx import FIXTURES, LATIN1_SGML

pytestmark = pytest.mark.django_db


@pytest.fixture
def bb_account(make_account):
    from retaguarda.br_tables.models import Bank

    return make_account("BB conta movimento", kind="bank", bank_id=Bank.objects.get(compe="001").pk, opening="0")


def test_importing_the_same_file_twice_creates_no_duplicate_lines(actor, bb_account):
    data = (FIXTURES / "bb.ofx").read_bytes()

    [first] = services.import_statement(actor=actor, data=data, file_name="bb.ofx", account_id=bb_account.pk)
    [second] = services.import_statement(actor=actor, data=data, file_name="bb.ofx", account_id=bb_account.pk)

    assert (first.lines_read, first.lines_new) == (3, 3)
    assert (second.lines_read, second.lines_new) == (3, 0)
    assert StatementLine.objects.filter(account=bb_account).count() == 3


def test_a_latin1_file_with_several_accounts_goes_to_the_accounts_with_those_numbers(actor, make_account):
    from retaguarda.br_tables.models import Bank

    bradesco = Bank.objects.get(compe="237").pk
    checking = make_account("Bradesco CC", kind="bank", bank_id=bradesco)
    services.update_account(checking.pk, actor=actor, number="56789-0")
    savings = make_account("Bradesco poupança", kind="bank", bank_id=bradesco)
    services.update_account(savings.pk, actor=actor, number="99999-1")
    card = make_account("Cartão corporativo", kind="card")
    services.update_account(card.pk, actor=actor, number="1111")

    imported = services.import_statement(actor=actor, data=LATIN1_SGML.encode("latin-1"), file_name="nov.ofx")

    assert [(s.account_id, s.lines_new) for s in imported] == [(checking.pk, 3), (savings.pk, 3), (card.pk, 1)]
    line = StatementLine.objects.get(account=checking, fitid="A1")
    assert (line.amount, line.memo) == (D("1234.56"), "PIX RECEBIDO JOSÉ DA CONCEIÇÃO")


def test_a_file_with_an_account_nobody_has_saves_nothing(actor, bb_account):
    with pytest.raises(UnknownStatementAccount) as err:
        services.import_statement(actor=actor, data=LATIN1_SGML.encode("latin-1"), file_name="nov.ofx")

    assert "56789-0" in err.value.message
    assert BankStatement.objects.count() == 0


def test_a_file_that_is_not_ofx_is_refused(actor, bb_account):
    with pytest.raises(NotOfx) as err:
        services.import_statement(
            actor=actor, data=b"Data;Valor\n01/11;10,00", file_name="x.csv", account_id=bb_account.pk
        )

    assert err.value.code == "finance.not_ofx" and "OFX" in err.value.message


def test_a_hostile_ofx_2_file_is_refused_and_saves_nothing(actor, bb_account):
    hostile = (
        '<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="211"?>'
        '<!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]><OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>'
        "<BANKTRANLIST><STMTTRN><DTPOSTED>20261102</DTPOSTED><TRNAMT>1.00</TRNAMT><FITID>1</FITID>"
        "<MEMO>&x;</MEMO></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    )

    with pytest.raises(NotOfx) as err:
        services.import_statement(actor=actor, data=hostile.encode(), file_name="x.ofx", account_id=bb_account.pk)

    assert err.value.code == "finance.not_ofx" and "DOCTYPE" in err.value.message
    assert BankStatement.objects.count() == StatementLine.objects.count() == 0


def _line(bb_account, actor, amount, memo="PIX", on=date(2014, 3, 5)):
    statement = BankStatement.objects.create(
        company_id=actor.company_id, account=bb_account, file_name="t.ofx", file_sha256="0"
    )
    return StatementLine.objects.create(
        company_id=actor.company_id,
        account=bb_account,
        statement=statement,
        fitid=f"{amount}{memo}",
        date=on,
        amount=D(amount),
        memo=memo,
    )


def test_an_open_installment_is_suggested_and_confirming_settles_it(
    actor, bb_account, make_title, make_customer, no_drift
):
    aurora = make_customer("Papelaria Aurora Ltda")
    title = make_title("receivable", ["250.00"], party=aurora, issue=date(2014, 2, 1), due=date(2014, 3, 3))
    make_title(
        "receivable", ["250.00"], party=make_customer("Outra Loja Ltda"), issue=date(2014, 2, 1), due=date(2014, 3, 4)
    )
    line = _line(bb_account, actor, "250.00", memo="PIX RECEBIDO PAPELARIA AURORA")

    [best, other] = selectors.suggestions([line])[line.pk][:2]
    assert best.kind == "installment" and best.target_id == title.installments.get().pk
    assert best.score > other.score

    services.reconcile(line.pk, actor=actor, settlements=[SettleIn(best.target_id, D("250.00"))])

    line.refresh_from_db()
    title.refresh_from_db()
    assert line.state == LineState.RECONCILED and title.state == "settled"
    assert Reconciliation.objects.get(line=line).entry.date == date(2014, 3, 5)


def test_a_line_split_over_an_entry_and_a_new_bank_fee(actor, bb_account, make_title, category, no_drift):
    title = make_title("payable", ["100.00"], issue=date(2014, 2, 1), due=date(2014, 3, 5))
    settlement = services.settle(
        title.installments.get().pk, actor=actor, account_id=bb_account.pk, on=date(2014, 3, 5)
    )
    line = _line(bb_account, actor, "-102.50", memo="PAGTO BOLETO + TARIFA")
    [suggested] = [s for s in selectors.suggestions([line])[line.pk] if s.kind == "entry"] or [None]
    assert suggested is None  # the amounts differ: nothing to suggest as is

    services.reconcile(
        line.pk,
        actor=actor,
        entry_ids=[settlement.entries.get().pk],
        creations=[CreateIn(category("bank_fees").pk, D("2.50"))],
    )

    assert Reconciliation.objects.filter(line=line).count() == 2
    bb_account.refresh_from_db()
    assert bb_account.balance == D("-102.50")


def test_a_mismatch_saves_nothing_and_a_reconciled_line_is_locked(actor, bb_account, category, no_drift):
    line = _line(bb_account, actor, "-10.00", memo="TARIFA")

    with pytest.raises(ReconciliationMismatch):
        services.reconcile(line.pk, actor=actor, creations=[CreateIn(category("bank_fees").pk, D("9.99"))])
    bb_account.refresh_from_db()
    assert bb_account.balance == D("0")

    services.reconcile(line.pk, actor=actor, creations=[CreateIn(category("bank_fees").pk, D("10.00"))])
    with pytest.raises(LineLocked):
        services.reconcile(line.pk, actor=actor, creations=[CreateIn(category("bank_fees").pk, D("10.00"))])

    services.undo_reconciliation(line.pk, actor=actor)
    line.refresh_from_db()
    assert line.state == LineState.UNRECONCILED and not line.matches.exists()


def test_an_entry_of_another_account_cannot_explain_a_line(actor, bb_account, cash_box, category):
    entry = services.record_direct(
        actor=actor, account_id=cash_box.pk, category_id=category("bank_fees").pk, amount=D("5.00")
    )
    line = _line(bb_account, actor, "-5.00")

    with pytest.raises(ValidationFailed):
        services.reconcile(line.pk, actor=actor, entry_ids=[entry.pk])
