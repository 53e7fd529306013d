"""Printing an occurrence's figures (stored as JSON by the run) the Brazilian way, for its explanation and
its page, with `core.formats` as the web layer's `brl`/`qty` filters do."""

import datetime
from decimal import Decimal, InvalidOperation

from retaguarda.core.formats import money_text, quantity_text


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def printed(figure: dict) -> str:
    value, kind = figure.get("value"), figure.get("kind", "text")
    if value is None or value == "":
        return "—"
    if kind in ("money", "qty", "int"):
        number = _decimal(value)
        if number is None:
            return str(value)
        if kind == "money":
            return money_text(number)
        if kind == "int":
            return str(int(number))  # ids, days, counts: never grouped
        return quantity_text(number)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)


class _Lenient(dict):
    def __missing__(self, key):
        return "—"


def explain(template: str, figures: dict[str, dict]) -> str:
    """The rule's explanation with its `%(name)s` placeholders filled; a missing figure prints a dash
    rather than failing the run. A run explaining thousands of findings passes the template translated
    once (`str()` of a lazy translation looks the language up each time)."""
    values = _Lenient({name: printed(fig) for name, fig in figures.items()})
    try:
        return str(template) % values
    except (TypeError, ValueError):
        return str(template)
