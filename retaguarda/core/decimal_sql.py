"""Exact decimal sums and arithmetic in SQL, on PostgreSQL and SQLite alike.

PostgreSQL's NUMERIC is exact, so these expressions compile to plain `SUM(a)`, `a * b`, `a + b`,
`a - b` and `-a` there. SQLite has no decimal type: a NUMERIC column holds a binary float, and its
`SUM` and `*` add floating-point error (a hundred thousand centavo amounts no longer sum to the
centavo). On SQLite the same expressions call functions registered on every connection
(`register_sqlite_functions`, wired in `CoreConfig.ready`) that compute with Python's `Decimal`.

The rule on SQLite: each input is read the way Django reads a decimal column (a float is rounded to
15 significant digits, SQLite's own precision; text and integers are taken as they are), the
arithmetic is exact, and the result goes back as an integer or a float when it has at most 15
significant digits (so ordering and comparisons stay numeric) and as text when it is longer (so no
digit is lost). A stored NUMERIC value itself keeps 15 significant digits on SQLite; a column that
needs more stores text (`core.money.ExactDecimalField`).

Use them for every money and quantity aggregate:

    StockMove.objects.aggregate(value=DecimalSum(DecimalMul("quantity", "unit_cost"), default=ZERO))
"""

import decimal
from decimal import Decimal

from django.db.models import DecimalField, Func, IntegerField, Sum

_FUNCTION_PREFIX = "retaguarda_decimal_"
# Wide enough for any sum of our columns; Inexact makes a result that would need rounding fail
# loudly instead of silently losing a digit.
_EXACT = decimal.Context(prec=120, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])
_AS_DJANGO_READS = decimal.Context(prec=15)
_FLOAT_DIGITS = 15
_MAX_INT = 2**63 - 1


def from_sqlite(value) -> Decimal | None:
    """A value SQLite hands to a function, as the Decimal Django would read from the column."""
    if value is None:
        return None
    if isinstance(value, float):
        return _AS_DJANGO_READS.create_decimal_from_float(value)
    if isinstance(value, bytes):
        value = value.decode()
    result = Decimal(value.strip() if isinstance(value, str) else value)
    if not result.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    return result


def to_sqlite(value: Decimal | None):
    """A Decimal as SQLite should hold it: an integer or a float when exact, text when longer."""
    if value is None:
        return None
    if value == value.to_integral_value() and abs(value) <= _MAX_INT:
        return int(value)
    if len(value.normalize().as_tuple().digits) <= _FLOAT_DIGITS and -300 < value.adjusted() < 300:
        return float(value)
    return str(value)


def _binary(operation):
    def function(a, b):
        if a is None or b is None:
            return None
        return to_sqlite(operation(from_sqlite(a), from_sqlite(b)))

    return function


def _negate(a):
    return None if a is None else to_sqlite(_EXACT.minus(from_sqlite(a)))


def _sign(a):
    if a is None:
        return None
    value = from_sqlite(a)
    return (value > 0) - (value < 0)


class _ExactSum:
    """The `SUM` aggregate over Decimals (NULL for no rows, like SQL's)."""

    def __init__(self):
        self.total = None

    def step(self, value):
        if value is not None:
            value = from_sqlite(value)
            self.total = value if self.total is None else _EXACT.add(self.total, value)

    def finalize(self):
        return to_sqlite(self.total)


def register_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` receiver: give each SQLite connection the exact decimal functions."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function(f"{_FUNCTION_PREFIX}mul", 2, _binary(_EXACT.multiply), deterministic=True)
    raw.create_function(f"{_FUNCTION_PREFIX}add", 2, _binary(_EXACT.add), deterministic=True)
    raw.create_function(f"{_FUNCTION_PREFIX}sub", 2, _binary(_EXACT.subtract), deterministic=True)
    raw.create_function(f"{_FUNCTION_PREFIX}neg", 1, _negate, deterministic=True)
    raw.create_function(f"{_FUNCTION_PREFIX}sign", 1, _sign, deterministic=True)
    raw.create_aggregate(f"{_FUNCTION_PREFIX}sum", 1, _ExactSum)


class DecimalSum(Sum):
    """`Sum` that is exact on SQLite too. Takes `filter=`, `distinct=` and `default=` like `Sum`."""

    name = "DecimalSum"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=f"{_FUNCTION_PREFIX}sum", **extra_context)


class _ExactOperation(Func):
    """A binary or unary operation: an operator on PostgreSQL, a registered function on SQLite."""

    sqlite_name = ""

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="%(function)s(%(expressions)s)",
            function=f"{_FUNCTION_PREFIX}{self.sqlite_name}",
            arg_joiner=", ",
            **extra_context,
        )

    def _places(self, places: list[int]) -> int:
        return max(places)

    def _resolve_output_field(self):
        # Quantity (4 places) x cost (6 places) mixes two field classes, which Django refuses to
        # guess from; the result is a decimal with the places the operation yields.
        places = [getattr(f, "decimal_places", None) for f in self.get_source_fields()]
        if places and all(p is not None for p in places):
            return DecimalField(max_digits=40, decimal_places=self._places(places))
        return DecimalField()


class DecimalMul(_ExactOperation):
    """`a * b`, exact: `DecimalMul("quantity", "unit_cost")`."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " * "
    sqlite_name = "mul"

    def _places(self, places: list[int]) -> int:
        return sum(places)


class DecimalAdd(_ExactOperation):
    """`a + b`, exact."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " + "
    sqlite_name = "add"


class DecimalSub(_ExactOperation):
    """`a - b`, exact: `DecimalSub("on_hand", "reserved")`."""

    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "
    sqlite_name = "sub"


class DecimalNeg(_ExactOperation):
    """`-a`, exact."""

    arity = 1
    template = "(-%(expressions)s)"
    sqlite_name = "neg"


class DecimalSign(Func):
    """-1, 0 or 1 as `a` is below, at or above zero, exactly: compare two exact expressions with
    `DecimalSign(DecimalSub(a, b))`. On SQLite a direct comparison is not safe: a result longer than 15
    digits comes back as text (which sorts above every number), and so does a Decimal parameter (Django
    binds Decimals as text), so `expression > 0` may be false for a positive `expression`."""

    arity = 1
    output_field = IntegerField()
    template = "CAST(SIGN(%(expressions)s) AS INTEGER)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=f"{_FUNCTION_PREFIX}sign(%(expressions)s)", **extra_context)


class ExactSql:
    """The same exact operations as SQL text, for a hand-written statement (`core.raw_rows.per_vendor`
    builds it once per vendor), and its results read back as Decimals."""

    def __init__(self, vendor: str):
        self.sqlite = vendor == "sqlite"

    def sum(self, a: str) -> str:
        return f"{_FUNCTION_PREFIX}sum({a})" if self.sqlite else f"SUM({a})"

    def mul(self, a: str, b: str) -> str:
        return f"{_FUNCTION_PREFIX}mul({a}, {b})" if self.sqlite else f"({a} * {b})"

    def neg(self, a: str) -> str:
        return f"{_FUNCTION_PREFIX}neg({a})" if self.sqlite else f"(-{a})"

    def read(self, value) -> Decimal | None:
        """A result as a Decimal: PostgreSQL's NUMERIC already is one; SQLite's comes as its functions left it."""
        return from_sqlite(value) if self.sqlite else value
