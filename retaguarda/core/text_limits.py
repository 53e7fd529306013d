"""How long a text may be, read from the model that stores it (one source: the column's `max_length`).

SQLite stores a text longer than its column and PostgreSQL refuses it, so an over-long value must be
refused before the database on both engines, naming the field, in Portuguese. API bodies
(`core.api.StrictSchema.writes`), page forms (`model_text_field`) and, for whatever else reaches a
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


def too_long_message(limit: int) -> str:
    return _("Text too long: at most %(max)d characters.") % {"max": limit}


def model_text_field(model, name: str, *, typed: bool = False, **kwargs):
    """A form's text field bounded by the column it fills (`model_text_field(Party, "trade_name", label=...)`),
    or by the typed format of `TYPED_LENGTHS` (`typed=True`: a CNPJ typed with its dots)."""
    from django import forms

    limit = TYPED_LENGTHS[name] if typed else model._meta.get_field(name).max_length
    field = forms.CharField(max_length=limit, **kwargs)
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
