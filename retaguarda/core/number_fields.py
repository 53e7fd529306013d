"""A form field for numbers as people type them, shown as people read them.

`12,5`, `1.234,56`, `R$ 12,90` and `12.5` are read (the kernel's `parse_decimal`); what cannot be
read is handed on as typed, so the service reports it beside every other problem of the form in one
round. A stored value is shown without grouping or meaningless zeros (`105,9` not `105,9000000000`),
with at least `min_places` decimals (`105,90` for a price), so it is read back as the same number.
"""

from decimal import Decimal

from django import forms

from retaguarda.core.decimals import read_decimal
from retaguarda.core.tabular.parsers import parse_decimal


def plain_number(value, min_places: int = 0) -> str:
    """`Decimal("105.9000000000")` -> `105,90` (min_places=2); `Decimal("48.000000")` -> `48`."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return str(value)
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    whole, _dot, places = text.partition(".")
    places = places.ljust(min_places, "0")
    return f"{whole},{places}" if places else whole


class NumberField(forms.Field):
    """A decimal typed the Brazilian way; unreadable text is cleaned to itself for the service to report."""

    widget = forms.TextInput
    MAX_LENGTH = 40

    def __init__(self, *args, min_places: int = 0, **kwargs):
        self.min_places = min_places
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "maxlength": str(self.MAX_LENGTH)}

    def prepare_value(self, value):
        return plain_number(value, self.min_places) if isinstance(value, Decimal | int) else value

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return read_decimal(text, typed=True)
        except ValueError as exc:
            try:
                parse_decimal(text)
            except ValueError:
                return text  # not a number at all: the service reports it with the form's other problems
            raise forms.ValidationError(str(exc)) from exc  # a number, but beyond what a column keeps
