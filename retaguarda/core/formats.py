"""Numbers as Brazilians write them: 1.234,56."""

from decimal import Decimal

from django.utils import numberformat


def grouped(number: Decimal | int, places: int) -> str:
    """`number` with `places` decimals, a comma before them and a dot every three digits."""
    return numberformat.format(
        number, decimal_sep=",", decimal_pos=places, grouping=3, thousand_sep=".", force_grouping=True
    )
