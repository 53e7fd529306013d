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
