"""Threads against the real database (SQLite file or PostgreSQL): one installment is never settled for
more than is open, however many settle it at once."""

import threading

import pytest
from django.db import connection

from retaguarda.finance import selectors, services
from retaguarda.finance.errors import OverSettlement
from retaguarda.finance.models import Settlement

from .conftest import D

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _run_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_eight_concurrent_settlements_never_settle_more_than_is_open(make_title, bank_account, actor):
    title = make_title("receivable", ["100.00"])
    installment = title.installments.get()

    results = _run_threads(
        8, lambda i: services.settle(installment.pk, actor=actor, account_id=bank_account.pk, paid=D("30.00"))
    )

    won = [r for r in results if isinstance(r, Settlement)]
    lost = [r for r in results if isinstance(r, OverSettlement)]
    assert (len(won), len(lost)) == (3, 5), results
    installment.refresh_from_db()
    bank_account.refresh_from_db()
    assert installment.amount_open == D("10.00")
    assert bank_account.balance == D("1090.00")
    assert selectors.drift() == []


def test_concurrent_settlements_and_transfers_on_shared_accounts_keep_balances_exact(
    make_title, bank_account, cash_box, actor
):
    titles = [make_title("payable", ["10.00"]) for _ in range(4)]

    def work(i):
        if i % 2:
            return services.settle(titles[i // 2].installments.get().pk, actor=actor, account_id=bank_account.pk)
        a, b = (bank_account, cash_box) if i % 4 else (cash_box, bank_account)
        return services.transfer(actor=actor, from_account_id=a.pk, to_account_id=b.pk, amount=D("5.00"))

    results = _run_threads(8, work)

    assert not [r for r in results if isinstance(r, Exception)], results
    bank_account.refresh_from_db()
    cash_box.refresh_from_db()
    assert bank_account.balance + cash_box.balance == D("1200.00") - D("40.00")
    assert selectors.drift() == []
