"""API answers written straight to JSON, past ninja's schema, as the route's schema would write them.

Through ninja, a route's answer is validated by pydantic from the instance (an attribute getter per field),
dumped, and encoded with a fallback for Decimals and datetimes: a tenth of a 1-line reservation's CPU
(docs/request-cost.md). Two ways past it; the route keeps its `response=` (the OpenAPI document does not
change) and returns the answer, which ninja hands over as it is:

- `answer(schema, objs)`: a flat schema (scalar fields) written from instances by a writer built once per
  schema, field by field: the schema's `resolve_<field>` (static, one argument) or the attribute of that
  name, then the value as the schema writes it (`Amount` and `Measure` by their writers, datetimes and
  dates as Django's JSON encoder does, other Decimals as text). Building the writer of a schema with a
  nested or aliased field raises. Tests compare the text with ninja's for the same instances.
- `json_answer(body)`: a body its own writer built (`purchasing.answers`, `sales.answers`: long or nested
  answers written field by field), encoded as ninja's renderer encodes it.
"""

import datetime
import inspect
import json
from decimal import Decimal
from functools import cache
from operator import attrgetter
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from retaguarda.core.api_numbers import field_writers

_SCALARS = (int, str, bool, float, Decimal, datetime.datetime, datetime.date, type(None))


def _datetime_text(value: datetime.datetime) -> str:
    """What Django's JSON encoder (ninja's) writes: milliseconds, `Z` for UTC."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


def _plain(value):
    """A value as JSON takes it: a Decimal without a declared writer as text, dates as ISO text."""
    kind = type(value)
    if kind is Decimal:
        return str(value)
    if kind is datetime.datetime:
        return _datetime_text(value)
    if kind is datetime.date:
        return value.isoformat()
    return value


def _scalar(annotation) -> bool:
    """`int`, `Measure`, `str | None`...: the field holds one plain value."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return all(_scalar(arg) for arg in get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, _SCALARS) and not issubclass(annotation, BaseModel)


@cache
def _writer(schema):
    """(name, getter, decimal writer) per field of `schema`, in its order."""
    decimals = field_writers(schema)
    fields = []
    for name, field in schema.model_fields.items():
        if field.alias or field.validation_alias or not _scalar(field.annotation):
            raise ValueError(f"{schema.__name__}.{name}: answers are written for flat schemas only")
        resolver = inspect.getattr_static(schema, f"resolve_{name}", None)
        if resolver is not None:
            if not isinstance(resolver, staticmethod) or len(inspect.signature(resolver.__func__).parameters) != 1:
                raise ValueError(f"{schema.__name__}.resolve_{name}: a static resolver of one argument only")
            getter = resolver.__func__
        else:
            getter = attrgetter(name)
        fields.append((name, getter, decimals.get(name)))
    return tuple(fields)


def body(schema, obj) -> dict:
    """`obj` as `schema` writes it, in plain JSON values."""
    written = {}
    for name, getter, decimal_writer in _writer(schema):
        value = getter(obj)
        if decimal_writer is not None and value is not None:
            written[name] = decimal_writer(value)
        else:
            written[name] = _plain(value)
    return written


def answer(schema, objs, status: int = 200, *, many: bool | None = None) -> HttpResponse:
    """The JSON answer of `objs` (a list, or one instance unless `many`) through the flat `schema`."""
    if many is None:
        many = isinstance(objs, list | tuple)
    data = [body(schema, obj) for obj in objs] if many else body(schema, objs)
    return HttpResponse(json.dumps(data), status=status, content_type="application/json; charset=utf-8")


def json_answer(body, status: int = 200) -> HttpResponse:
    """`body` (plain values, Decimals, dates) written as ninja's renderer writes it."""
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type="application/json; charset=utf-8"
    )
