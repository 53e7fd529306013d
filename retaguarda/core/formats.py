"""Numbers as Brazilians write them: 1.234,56."""

from decimal import Decimal

from django.utils import numberformat

from retaguarda.core.money import quantize


def grouped(number: Decimal | int, places: int) -> str:
    """`number` with `places` decimals (rounded half up, as everywhere: Django's formatter would cut
    R$ 20,0698 to "20,06"), a comma before them and a dot every three digits."""
    if isinstance(number, Decimal) and number.is_finite():
        number = quantize(number, places)
    return numberformat.format(
        number, decimal_sep=",", decimal_pos=places, grouping=3, thousand_sep=".", force_grouping=True
    )
