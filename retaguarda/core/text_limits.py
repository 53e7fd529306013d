"""How long a text may be, read from the model that stores it (one source: the column's `max_length`).

SQLite stores a text longer than its column and PostgreSQL refuses it, so an over-long value must be
refused before the database on both engines, naming the field, in Portuguese. API bodies
(`core.api.StrictSchema.writes`), page forms (`model_text_field`), the inputs of hand-written pages
(`input_length`, through the `{% max_length %}` template tag) and, for whatever else reaches a
model (a page reading its POST by hand), every save (`check_lengths`, connected to `pre_save`) take the
limit from here, never from a number copied by hand.
"""

from functools import cache

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retaguarda.core.errors import ValidationFailed

# Values typed with their punctuation, which the service reduces to the stored digits (the column is
# shorter than what is typed): `12.345.678/0001-90`, `01310-100`, `+55 (11) 98765-4321`, `4759-8/99`,
# `1234.56.78`, an access key in groups of four. A schema names such fields in `typed`.
TYPED_LENGTHS = {
    "document": 18,
    "cnpj": 18,
    "postal_code": 9,
    "phone": 20,
    "state_registration": 20,
    "cnae": 10,
    "ncm": 10,
    "cest": 9,
    "municipality_id": 7,
    "nfe_key": 54,
}


# Inputs of a page that fill no text column of their own: a whole number (a count, a number of days, a
# row's number), a variation's attribute name or value (kept in the product's JSON and in its children's
# SKUs), the comma-separated values of an attribute ("P, M, G": room for dozens of them), a password.
INPUT_LENGTHS = {
    "integer": 13,
    "attribute_name": 30,
    "attribute_value": 30,
    "attribute_values": 1000,
    "password": 128,  # a certificate's password, kept encrypted (a text column of any length)
}


@cache
def char_limits(model) -> dict[str, int]:
    """{field name: max_length} of `model`'s bounded text columns."""
    return {
        field.name: field.max_length
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and field.max_length
    }


@cache
def free_texts(model) -> frozenset[str]:
    """The names of `model`'s unbounded text columns (`TextField`): only the body size limits them."""
    return frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField))


def typed_number_length(max_digits: int, places: int) -> int:
    """The characters a number of that column takes typed the Brazilian way, at most: its digits, a dot
    every three whole digits, the comma and a sign (`-1.234.567,89`)."""
    whole = max_digits - places
    return max_digits + max(whole - 1, 0) // 3 + (1 if places else 0) + 1


@cache
def input_length(label: str) -> int:
    """The `maxlength` of a page's input for `app.Model.field` (a text column's `max_length`, a number
    column typed with its punctuation) or for a typed format (`typed.cnpj`: `TYPED_LENGTHS`, `INPUT_LENGTHS`).
    A name that is neither is an error: a page must not guess."""
    from django.apps import apps

    owner, _sep, name = label.rpartition(".")
    if owner == "typed":
        return TYPED_LENGTHS.get(name) or INPUT_LENGTHS[name]
    field = apps.get_model(owner)._meta.get_field(name)
    if isinstance(field, models.CharField) and field.max_length:
        return field.max_length
    if isinstance(field, models.DecimalField):
        return typed_number_length(field.max_digits, field.decimal_places)
    if isinstance(field, models.IntegerField):
        return typed_number_length(10, 0)
    raise ValueError(f"{label} has no length to bound an input with")


def too_long_message(limit: int) -> str:
    return _("Text too long: at most %(max)d characters.") % {"max": limit}


def model_text_field(model, name: str, *, typed: bool = False, field_class=None, **kwargs):
    """A form's text field bounded by the column it fills (`model_text_field(Party, "trade_name", label=...)`),
    or by the typed format of `TYPED_LENGTHS` (`typed=True`: a CNPJ typed with its dots); `field_class` is a
    `CharField` of one's own (a lookup's)."""
    from django import forms

    limit = TYPED_LENGTHS[name] if typed else model._meta.get_field(name).max_length
    field = (field_class or forms.CharField)(max_length=limit, **kwargs)
    field.error_messages["max_length"] = gettext_lazy(
        "Text too long: at most %(limit_value)d characters (you typed %(show_value)d)."
    )
    return field


def check_lengths(sender, instance, raw=False, **kwargs) -> None:
    """`pre_save`: the last net for a text that reached a model unchecked (a page reading its POST by
    hand); the service's transaction rolls back, the page shows the message with what was typed."""
    if raw:  # fixtures load as they are
        return
    limits = char_limits(sender)
    if not limits:
        return
    problems = []
    for name, limit in limits.items():
        value = getattr(instance, name, None)
        if isinstance(value, str) and len(value) > limit:
            label = str(sender._meta.get_field(name).verbose_name)
            problems.append({"field": name, "message": f"{label.capitalize()}: {too_long_message(limit)}"})
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
