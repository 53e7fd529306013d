"""Cell parsers: text in, value out, `ValueError` with the reason in Portuguese."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from retaguarda.core.text import fold


def parse_text(value: str) -> str:
    return value


def parse_upper(value: str) -> str:
    return value.upper()


_MONEY_NOISE = re.compile(r"[R$\s\u00a0%]")


def parse_decimal(value: str) -> Decimal:
    """``1.234,56``, ``1234,56``, ``1234.56``, ``R$ 12,90``: the last separator is the decimal one.

    A lone dot is a decimal point (``12.5``), unless there are several (``1.234.567``).
    """
    text = _MONEY_NOISE.sub("", value)
    negative = text.startswith("-")
    text = text.lstrip("-+")
    if "," in text and "." in text:
        comma_last = text.rfind(",") > text.rfind(".")
        text = text.replace(".", "").replace(",", ".") if comma_last else text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(_("Invalid number: %(value)s.") % {"value": value})
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", text):
        raise ValueError(_("Invalid number: %(value)s.") % {"value": value})
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("Invalid number: %(value)s.") % {"value": value}) from exc
    return -number if negative else number


def parse_integer(value: str) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(_("Invalid whole number: %(value)s.") % {"value": value})
    return int(number)


_TRUE = {"1", "s", "sim", "y", "yes", "true", "verdadeiro", "x", "ativo"}
_FALSE = {"0", "n", "nao", "no", "false", "falso", "inativo"}


def parse_bool(value: str) -> bool:
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(_("Use sim or não: %(value)s.") % {"value": value})


def parse_date(value: str) -> datetime.date:
    """``31/01/2026``, ``31/01/26`` or ``2026-01-31`` (also with a time, as XLSX dates arrive)."""
    text = value.strip().split(" ")[0].split("T")[0]
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Invalid date: %(value)s. Use dd/mm/aaaa.") % {"value": value})
