"""Text longer than its column is refused before the database, on both engines (SQLite would store it,
PostgreSQL would raise): every text field of every request body, every page form, every save.

Nothing here lists routes or forms: the API is walked from its OpenAPI document, the forms from the
classes the apps define, so a new route or form is covered without anyone remembering to add it.
"""

import json
import re
from typing import get_args

import pytest
from django import forms
from django.apps import apps
from django.db import transaction

from retaguarda.core.api import StrictSchema, text_fields
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.text_limits import char_limits
from tests.flows.test_cross_company_walk import _dump, _example

PARAM = re.compile(r"\{(\w+)\}")
# Text inside containers is not a column of its own: variant attributes and rule parameters are JSON,
# department codes and access keys are checked one by one by the service.
CONTAINERS = {"departments", "attributes", "referenced_keys", "params"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_text_field_of_a_request_body_knows_its_column():
    """A `str` field of a body is bounded by the column it fills (`writes`, `columns`, `typed`), or fills
    an unbounded `TextField`: none is left to the database."""
    loose = []
    for schema in set(_subclasses(StrictSchema)):
        for name, field in schema.model_fields.items():
            is_text = field.annotation is str or str in get_args(field.annotation)
            bounded = any(getattr(m, "max_length", None) for m in field.metadata)  # a code: `Field(max_length=2)`
            if is_text and not bounded and name not in CONTAINERS and name not in text_fields(schema):
                loose.append(f"{schema.__module__}.{schema.__name__}.{name}")
    assert sorted(loose) == []


def _text_properties(schema: dict, components: dict, path=(), depth=0):
    """(path, maxLength) of every bounded text property of a body schema, nested ones included."""
    if "$ref" in schema:
        yield from _text_properties(components[schema["$ref"].split("/")[-1]], components, path, depth)
        return
    for option in schema.get("anyOf", []):
        yield from _text_properties(option, components, path, depth)
    if depth > 4:
        return
    if schema.get("type") == "string" and "maxLength" in schema:
        yield path, schema["maxLength"]
    for name, sub in schema.get("properties", {}).items():
        yield from _text_properties(sub, components, (*path, name), depth + 1)
    if schema.get("type") == "array" and "items" in schema:
        yield from _text_properties(schema["items"], components, (*path, 0), depth + 1)


def _with_value(body, path, value):
    """`body` with `value` at `path` (lists get one element, objects the keys on the way)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) and body else [{}]
        items[0] = _with_value(items[0], rest, value)
        return items
    body = dict(body) if isinstance(body, dict) else {}
    body[head] = _with_value(body.get(head), rest, value)
    return body


def test_every_write_route_refuses_text_longer_than_its_column(make_user, api_client_for):
    client = api_client_for(make_user("admin"))
    document = client.get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    before = _dump()

    walked, failures = 0, []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            url = PARAM.sub("1", path)
            example = _example(content["schema"], components)
            for field_path, limit in _text_properties(content["schema"], components):
                body = _with_value(example, field_path, "x" * (limit + 1))
                response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
                walked += 1
                name = ".".join(map(str, field_path))
                details = response.json().get("details", []) if response.status_code == 422 else []
                refused = [d for d in details if (d.get("field") or "").endswith(name)]
                message = f"{limit} caracteres"
                if not any(message in d["message"] for d in refused):
                    failures.append((method.upper(), path, name, response.status_code, response.content[:200]))

    assert walked > 250  # the document really was walked
    assert failures == [], "\n".join(map(str, failures))
    assert _dump() == before


def _page_forms():
    for config in apps.get_app_configs():
        if config.name.startswith("retaguarda."):
            try:
                __import__(f"{config.name}.forms")
            except ModuleNotFoundError:
                continue
    return [
        f
        for f in set(_subclasses(forms.Form))
        if f.__module__.startswith("retaguarda.") and "tests" not in f.__module__
    ]


def test_every_text_field_of_a_page_form_has_a_limit_and_refuses_beyond_it():
    found = _page_forms()
    assert len(found) >= 10
    loose, accepted = [], []
    for form_class in found:
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.HiddenInput):
                continue
            if field.max_length is None:
                loose.append(f"{form_class.__name__}.{name}")
                continue
            kwargs = {"editing": True} if "editing" in form_class.__init__.__code__.co_varnames else {}
            if form_class.__name__ == "ImportForm":
                kwargs = {"kinds": []}
            form = form_class({name: "x" * (field.max_length + 1)}, **kwargs)
            if name in form.fields and (form.is_valid() or name not in form.errors):
                accepted.append(f"{form_class.__name__}.{name}")
    assert loose == []
    assert accepted == []


@pytest.mark.django_db(transaction=True)
def test_a_save_with_text_over_its_column_is_refused_naming_the_field(company):
    """The net under the pages that read their POST by hand: the save raises before the database, the
    service's transaction keeps nothing."""
    from retaguarda.inventory.models import Warehouse

    limit = char_limits(Warehouse)["name"]
    with pytest.raises(ValidationFailed) as refused, transaction.atomic():
        Warehouse.objects.create(company=company, code="LONGO", name="x" * (limit + 1))
    assert refused.value.details[0]["field"] == "name"
    assert f"{limit} caracteres" in refused.value.details[0]["message"]
    assert not Warehouse.objects.filter(code="LONGO").exists()


def test_a_page_reading_its_post_by_hand_refuses_long_text_and_keeps_what_was_typed(make_user, client):
    from retaguarda.inventory.models import Warehouse

    client.force_login(make_user("admin"))
    typed = "Depósito " + "x" * char_limits(Warehouse)["name"]
    response = client.post("/estoque/depositos/", {"code": "LONGO", "name": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"no máximo {char_limits(Warehouse)['name']} caracteres" in page
    assert typed in page
    assert not Warehouse.objects.filter(code="LONGO").exists()


def test_a_page_form_refuses_long_text_and_keeps_what_was_typed(make_user, client):
    from retaguarda.catalog.models import Product

    client.force_login(make_user("admin"))
    typed = "Caneca " + "x" * char_limits(Product)["name"]
    response = client.post("/produtos/novo/", {"sku": "LONGO", "name": typed, "ncm": "69120000"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"no máximo {char_limits(Product)['name']} caracteres" in page
    assert typed in page
    assert not Product.objects.filter(sku="LONGO").exists()
