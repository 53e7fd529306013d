"""The one reader of quantities and money coming from outside (API bodies, forms, files).

`read_decimal` takes what a client may send for a number (a JSON number, a string, a Decimal) and either
returns the exact Decimal or raises `ValueError` with a message for the user. It refuses what would be
stored wrong or crash a database: NaN and Infinity, exponent notation (`1e30`), more decimal places than the
field keeps (never rounded silently), more integer digits than its column holds, absurdly long text.
Text is read as people type it (`1.234,56`, `12.5`, `R$ 12,90`) by the kernel's `parse_decimal`.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.tabular.parsers import parse_decimal

MAX_TEXT = 40
PLAIN = re.compile(r"-?[0-9]+([.,][0-9]+)?")
# The widest scale and integer part of any decimal column (unit prices: 22 digits, 10 places).
MAX_PLACES = 10
MAX_WHOLE_DIGITS = 12

# A number not written out: an exponent (`1e3`, `2,5E-2`), NaN or infinity. A word ("dez") is simply
# not a number, and is told so.
_NOT_WRITTEN_OUT = re.compile(r"\d\s*[eE]\s*[-+]?\d|^[-+]?\s*(s?nan|inf(inity)?)\s*$", re.IGNORECASE)


def read_decimal(value, *, places: int | None = None, whole_digits: int | None = None, typed: bool = False) -> Decimal:
    """`value` as an exact Decimal with at most `places` decimals and `whole_digits` digits before the point.

    API text is plain (`-12.5` or `-12,5`); `typed=True` reads what a person types in a form or a sheet
    (`R$ 1.234,56`, spaces around)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Enter a number."))
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)  # `5.0` is the integer 5 to JSON Schema, and exact
    if isinstance(value, float):
        # Binary floating point is not exact (0.1 + 0.2): decimals travel as text, whole numbers as integers.
        raise ValueError(_('Send decimals as text, such as "2.50", not as a floating-point number.'))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(_("Enter a number (NaN and infinity are not numbers)."))
        number = value
    elif isinstance(value, str) and not typed and len(value) <= MAX_TEXT and PLAIN.fullmatch(value):
        # The common API case (a 1,000-line body holds 16,000): plain digits with one separator at most, so
        # its places and integer digits are counted on the text; only a number over them goes on to the
        # checks below for their message.
        text = value.replace(",", ".")
        whole, _sep, fraction = text.lstrip("-").partition(".")
        fits_places = len(fraction.rstrip("0")) <= (MAX_PLACES if places is None else places)
        fits_digits = len(whole.lstrip("0")) <= (MAX_WHOLE_DIGITS if whole_digits is None else whole_digits)
        if fits_places and fits_digits:
            return Decimal(text)
        number = Decimal(text)
    elif isinstance(value, str):
        text = value.strip() if typed else value
        if len(text) > MAX_TEXT:
            raise ValueError(_("Number too long (%(max)d characters at most).") % {"max": MAX_TEXT})
        if not text:
            raise ValueError(_("Enter a number."))
        if _NOT_WRITTEN_OUT.search(text):
            raise ValueError(
                _("Write the number in full, without exponents, NaN or infinity: %(value)s.") % {"value": text}
            )
        if not typed and not PLAIN.fullmatch(text):
            raise ValueError(_("Invalid number: %(value)s.") % {"value": text})
        number = parse_decimal(text)
    else:
        raise ValueError(_("Enter a number."))
    return check_decimal(number, places=places, whole_digits=whole_digits)


def typed_decimal(value) -> Decimal:
    """What a person typed in a form, a sheet or a file (`R$ 1.234,56`), within the widest column."""
    return read_decimal(value, typed=True)


def check_decimal(number: Decimal, *, places: int | None = None, whole_digits: int | None = None) -> Decimal:
    """`number` itself when it fits `places` decimals and `whole_digits` integer digits, else `ValueError`."""
    places = MAX_PLACES if places is None else places
    whole_digits = MAX_WHOLE_DIGITS if whole_digits is None else whole_digits
    if not number.is_finite():
        raise ValueError(_("Enter a number (NaN and infinity are not numbers)."))
    exponent = number.as_tuple().exponent
    if -exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise ValueError(_("Enter a whole number."))
        raise ValueError(_("At most %(places)d decimal places.") % {"places": places})
    if abs(number) >= Decimal(10) ** whole_digits:
        raise ValueError(
            _("Number too large (at most %(digits)d digits before the decimal point).") % {"digits": whole_digits}
        )
    return number
