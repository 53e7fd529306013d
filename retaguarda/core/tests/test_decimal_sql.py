"""Exact decimal sums and products in SQL give Python's Decimal result on both engines."""

import random
from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.models import F, Q, Sum, Value
from django.test.utils import isolate_apps

from retaguarda.core.decimal_sql import DecimalAdd, DecimalMul, DecimalNeg, DecimalSign, DecimalSub, DecimalSum
from retaguarda.core.money import ZERO, CostField, MoneyField, QuantityField

pytestmark = pytest.mark.django_db

ROWS = 100_000


@pytest.fixture
def entry_model():
    """A throwaway table with the three scales money work sums (amount, quantity, cost)."""
    with isolate_apps("retaguarda.core"):

        class Entry(models.Model):
            grp = models.IntegerField()
            amount = MoneyField(null=True)
            quantity = QuantityField(null=True)
            unit_cost = CostField(null=True)
            note = models.CharField(max_length=40, default="")

            class Meta:
                app_label = "core"
                db_table = "exact_sum_entry"

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE exact_sum_entry (id integer PRIMARY KEY, grp integer NOT NULL,"
                " amount decimal(18, 2) NULL, quantity decimal(18, 4) NULL, unit_cost decimal(20, 6) NULL,"
                " note varchar(40) NOT NULL)"
            )
        yield Entry
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE exact_sum_entry")


def _centavos(rng) -> Decimal:
    return Decimal(rng.randint(-(10**9), 10**9)).scaleb(-2)


def test_a_hundred_thousand_amounts_and_products_sum_exactly(entry_model):
    rng = random.Random(20261201)
    rows = [
        entry_model(
            id=i,
            grp=i % 7,
            amount=_centavos(rng),
            quantity=Decimal(rng.randint(1, 10**8)).scaleb(-4),
            unit_cost=Decimal(rng.randint(0, 10**10)).scaleb(-6),
        )
        for i in range(1, ROWS + 1)
    ]
    entry_model.objects.bulk_create(rows, batch_size=2000)
    expected_amount = sum((r.amount for r in rows), ZERO)
    expected_value = sum((r.quantity * r.unit_cost for r in rows), ZERO)

    totals = entry_model.objects.aggregate(
        amount=DecimalSum("amount"), value=DecimalSum(DecimalMul("quantity", "unit_cost"))
    )

    assert totals == {"amount": expected_amount, "value": expected_value}
    if connection.vendor == "sqlite":
        # Why this module exists: SQLite's own SUM is floating point and misses the centavo.
        plain = entry_model.objects.aggregate(v=Sum(F("quantity") * F("unit_cost"), output_field=MoneyField()))["v"]
        assert plain != expected_value


def test_grouped_filtered_and_defaulted_sums_are_exact(entry_model):
    entry_model.objects.bulk_create(
        [entry_model(id=i, grp=i % 2, amount=Decimal("0.10"), note="x" if i % 3 else "") for i in range(1, 31)]
    )

    grouped = dict(
        entry_model.objects.values("grp")
        .annotate(total=DecimalSum("amount", filter=Q(note="x")))
        .order_by("grp")
        .values_list("grp", "total")
    )
    empty = entry_model.objects.filter(grp=99).aggregate(t=DecimalSum("amount", default=ZERO))["t"]

    assert grouped == {0: Decimal("1.00"), 1: Decimal("1.00")}  # 10 of each 15 carry the note
    assert empty == ZERO
    assert entry_model.objects.filter(grp=99).aggregate(t=DecimalSum("amount"))["t"] is None


def test_differences_compare_exactly_in_a_filter(entry_model):
    # 0.3 - 0.1 is 0.19999999999999998 in binary floating point: "below 0.2" must stay false.
    entry_model.objects.create(id=1, grp=0, quantity=Decimal("0.3"), unit_cost=Decimal("0.1"), amount=Decimal("0.20"))

    below = entry_model.objects.alias(left=DecimalSub("quantity", "unit_cost")).filter(left__lt=F("amount"))
    equal = entry_model.objects.alias(left=DecimalSub("quantity", "unit_cost")).filter(left=F("amount"))

    assert not below.exists()
    assert equal.count() == 1


def test_the_sign_of_a_long_result_or_a_difference_with_a_literal_is_exact(entry_model):
    """A product of 17 significant digits comes back from SQLite as text, and a Decimal literal is bound
    as text: compared directly, both sort above every number; their sign does not."""
    entry_model.objects.bulk_create(
        [
            entry_model(id=1, grp=1, quantity=Decimal("123456.7891"), unit_cost=Decimal("987654.123457")),
            entry_model(id=2, grp=2, quantity=Decimal("-123456.7891"), unit_cost=Decimal("987654.123457")),
            entry_model(id=3, grp=3, quantity=Decimal("0.3"), unit_cost=Decimal("0.1"), amount=Decimal("0.03")),
        ]
    )
    product = DecimalMul("quantity", "unit_cost")
    signs = {
        grp: (s, d)
        for grp, s, d in entry_model.objects.annotate(
            s=DecimalSign(product),
            d=DecimalSign(DecimalSub(product, Value(Decimal("0.03"), output_field=MoneyField()))),
        ).values_list("grp", "s", "d")
    }
    assert signs == {1: (1, 1), 2: (-1, -1), 3: (1, 0)}
    at_three_cents = entry_model.objects.alias(d=DecimalSign(DecimalSub(product, "amount"))).filter(d=0)
    assert list(at_three_cents.values_list("grp", flat=True)) == [3]
    assert not entry_model.objects.alias(s=DecimalSign("amount")).filter(s=-1).exists()


def test_long_results_keep_every_digit_and_sort_numerically(entry_model):
    entry_model.objects.bulk_create(
        [
            entry_model(id=1, grp=1, quantity=Decimal("123456.7891"), unit_cost=Decimal("987654.123457")),
            entry_model(id=2, grp=2, quantity=Decimal("9.5"), unit_cost=Decimal("2")),
            entry_model(id=3, grp=3, quantity=Decimal("0.0001"), unit_cost=Decimal("0.000001")),
        ]
    )

    rows = list(
        entry_model.objects.annotate(v=DecimalMul("quantity", "unit_cost"), n=DecimalNeg("quantity"))
        .order_by("v")
        .values_list("grp", "v", "n")
    )

    assert [r[0] for r in rows] == [3, 2, 1]
    assert rows[2][1] == Decimal("123456.7891") * Decimal("987654.123457")  # 17 significant digits
    assert rows[0][1] == Decimal("1E-10")
    assert [r[2] for r in rows] == [Decimal("-0.0001"), Decimal("-9.5"), Decimal("-123456.7891")]
    total = entry_model.objects.aggregate(t=DecimalSum(DecimalAdd("quantity", "unit_cost")))["t"]
    assert total == Decimal("123456.7891") + Decimal("987654.123457") + Decimal("11.5") + Decimal("0.000101")


def test_null_operands_give_null_like_sql(entry_model):
    entry_model.objects.create(id=1, grp=0, quantity=Decimal("2"), unit_cost=None)

    row = entry_model.objects.annotate(v=DecimalMul("quantity", "unit_cost")).values_list("v", flat=True).get()

    assert row is None
