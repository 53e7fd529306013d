"""Numbers as Brazilians write them: 1.234,56."""

from decimal import Decimal

from retaguarda.core.money import quantize


def grouped(number: Decimal | int, places: int) -> str:
    """`number` with `places` decimals (rounded half up, as everywhere: Django's formatter would cut
    R$ 20,0698 to "20,06"), a comma before them and a dot every three digits.

    Python's own format does the grouping (every cell of a list page goes through here: Django's
    `numberformat` costs several times as much); a value that rounds to zero prints unsigned."""
    if isinstance(number, Decimal):
        if not number.is_finite():
            return str(number)
        number = quantize(number, places)
        if not number:
            number = abs(number)
    # Python writes 1,234.56: swap the two marks (three replaces cost less than str.translate).
    return format(number, f",.{places}f").replace(",", "_").replace(".", ",").replace("_", ".")


def money_text(number: Decimal) -> str:
    """R$ 1.234,56 (the `brl` filter, for code that formats a page's cells before the template)."""
    sign = "-" if number < 0 else ""
    return f"{sign}R$\u00a0{grouped(abs(number), 2)}"


def quantity_text(number: Decimal, places: int | None = None) -> str:
    """A quantity without trailing zeros unless `places` is given: 12 / 12,5 / 0,125 (the `qty` filter)."""
    if places is None:
        places = max(0, -number.normalize().as_tuple().exponent)
    return grouped(number, places)
