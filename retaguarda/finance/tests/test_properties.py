"""Property test: random titles, partial settlements (with interest, fine, discount, withholding),
reversals, credits, cancellations and transfers keep every balance equal to the sum of its entries
and every journal entry balanced, exactly, and agree with a plain reference model."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retaguarda.core.errors import DomainError
from retaguarda.finance import selectors, services
from retaguarda.finance.models import CashAccount, Installment
from retaguarda.finance.services import InstallmentIn, SourceRef, Withholding

cents = st.integers(min_value=1, max_value=500_00).map(lambda n: Decimal(n) / 100)
small = st.integers(min_value=0, max_value=20_00).map(lambda n: Decimal(n) / 100)
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("title"), st.sampled_from(["receivable", "payable"]), st.lists(cents, min_size=1, max_size=3)
        ),
        st.tuples(st.just("settle"), st.integers(0, 20), st.integers(0, 1), cents, small, small, small, small),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
        st.tuples(st.just("credit"), st.integers(0, 20), cents),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("transfer"), st.integers(0, 1), cents),
    ),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=operations)
def test_random_operations_keep_the_ledger_exact(ops, actor, make_account, company):
    with transaction.atomic():
        services.ensure_chart(company.pk)
        accounts = [make_account(opening="100.00"), make_account(opening="0")]
        balances = {a.pk: Decimal("100.00") if i == 0 else Decimal(0) for i, a in enumerate(accounts)}
        opens: dict[int, Decimal] = {}
        titles, settlements = [], []
        credits = iter(range(1, 1000))
        for op in ops:
            kind = op[0]
            try:
                with transaction.atomic():
                    if kind == "title":
                        _k, title_kind, amounts = op
                        title = services.create_title(
                            actor=actor,
                            kind=title_kind,
                            category_role="sales" if title_kind == "receivable" else "bank_fees",
                            installments=[InstallmentIn(date(2026, 2, 1 + i), a) for i, a in enumerate(amounts)],
                            issue_date=date(2026, 1, 1),
                        )
                        titles.append(title)
                        for inst in title.installments.all():
                            opens[inst.pk] = inst.amount
                    elif kind == "settle" and titles:
                        _k, n, which, paid, interest, fine, discount, withheld = op
                        title = titles[n % len(titles)]
                        inst = title.installments.order_by("number")[n % title.installments.count()]
                        account = accounts[which]
                        principal = paid - interest - fine + discount + withheld
                        settlement = services.settle(
                            inst.pk,
                            actor=actor,
                            account_id=account.pk,
                            paid=paid,
                            interest=interest,
                            fine=fine,
                            discount=discount,
                            withholdings=[Withholding("iss", withheld)] if withheld else [],
                        )
                        assert settlement.principal == principal <= opens[inst.pk]
                        opens[inst.pk] -= principal
                        balances[account.pk] += title.sign * paid
                        settlements.append(settlement)
                    elif kind == "reverse" and settlements:
                        settlement = settlements[op[1] % len(settlements)]
                        services.reverse_settlement(settlement.pk, actor=actor)
                        opens[settlement.installment_id] += settlement.principal
                        balances[settlement.account_id] -= settlement.title.sign * settlement.paid
                    elif kind == "credit" and titles:
                        title = titles[op[1] % len(titles)]
                        services.credit_title(
                            title.pk, actor=actor, amount=op[2], source=SourceRef("t.credit", next(credits))
                        )
                        for inst in Installment.objects.filter(title=title):
                            opens[inst.pk] = inst.amount_open
                        for inst in Installment.objects.exclude(pk__in=opens):
                            opens[inst.pk] = inst.amount_open
                    elif kind == "cancel" and titles:
                        title = titles[op[1] % len(titles)]
                        services.cancel_title(title.pk, actor=actor)
                        for inst in title.installments.all():
                            opens[inst.pk] = Decimal(0)
                    elif kind == "transfer":
                        _k, which, value = op
                        a, b = accounts[which], accounts[1 - which]
                        services.transfer(actor=actor, from_account_id=a.pk, to_account_id=b.pk, amount=value)
                        balances[a.pk] -= value
                        balances[b.pk] += value
            except DomainError:
                pass  # refused operations must change nothing: checked below
        assert selectors.drift() == []
        assert {a.pk: a.balance for a in CashAccount.objects.filter(pk__in=balances)} == balances
        assert {i.pk: i.amount_open for i in Installment.objects.filter(pk__in=opens)} == opens
        transaction.set_rollback(True)
