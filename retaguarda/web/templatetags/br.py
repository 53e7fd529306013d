"""Brazilian formats for templates: R$ 1.234,56, quantities, CPF/CNPJ/CEP masks."""

from decimal import Decimal, InvalidOperation

from django import template

from retaguarda.core.audit import action_label
from retaguarda.core.formats import money_text, quantity_text
from retaguarda.core.number_fields import plain_number
from retaguarda.core.text_limits import input_length
from retaguarda.core.validators import format_cep, format_document

register = template.Library()


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def brl(value):
    """R$ 1.234,56"""
    number = _decimal(value)
    return "" if number is None else money_text(number)


@register.filter
def qty(value, places=None):
    """A quantity without trailing zeros: 12 / 12,5 / 0,125."""
    number = _decimal(value)
    return "" if number is None else quantity_text(number, None if places is None else int(places))


@register.filter
def qty_input(value):
    """A number for an input's value: decimal comma, no grouping, no trailing zeros (1234,5), so it is
    read back as the same number."""
    return plain_number(_decimal(value))


@register.filter
def document(value):
    return format_document(value or "")


@register.filter
def cep(value):
    return format_cep(value or "")


@register.filter
def ncm(value):
    """3924.10.00: an NCM code as the tables print it."""
    code = str(value or "")
    return f"{code[:4]}.{code[4:6]}.{code[6:]}" if len(code) == 8 and code.isdigit() else code


@register.filter
def audit_action(value):
    """The audit verb in the reader's language: created → criado."""
    return action_label(value)


@register.simple_tag
def max_length(label: str) -> int:
    """`maxlength="{% max_length 'finance.CashAccount.name' %}"`: the limit read from the column (or
    `typed.cnpj` for a format typed with its punctuation), never a number copied into the template."""
    return input_length(label)
