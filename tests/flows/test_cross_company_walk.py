"""The whole API walked from its OpenAPI document: a user of company A calls every route that takes an id
with company B's ids; every call answers 404 and the database is the same afterwards.

Routes are not listed here: a route added tomorrow is walked without anyone remembering to add it. Ids
come from B's rows of the models of the route's app (the model named like the path parameter when there
is one), B being the demo company with every app's demo data.
"""

import json
import re
from collections import defaultdict
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLResolver, get_resolver

from retaguarda.companies.models import Company
from retaguarda.web import demo

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"\{(\w+)\}")
IDS_PER_MODEL = 2
# Rows a refused request may still touch, and that say nothing about the boundary.
# Path parameters that are codes within the caller's own company, not rows: a PUT of CFOP "1" is an
# invalid code (422) for anyone, and touches no other company's data.
NATURAL_KEYS = {"supplier_cfop"}
NOISE = {"access.apitoken", "sessions.session", "django_tasks_db.dbtaskresult", "core.periodicrun"}


def _company_field(model):
    for field in model._meta.concrete_fields:
        if field.name == "company" and field.is_relation:
            return field
    return None


def _ids_of_b(company_b) -> dict[str, dict[str, list[int]]]:
    """{app_label: {model_name: [ids of company B's rows]}} for every model with a company."""
    found: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for model in apps.get_models():
        if _company_field(model) is None:
            continue
        ids = list(model._base_manager.filter(company=company_b).order_by("pk").values_list("pk", flat=True))
        if ids and isinstance(ids[0], int):  # routes take integer ids
            found[model._meta.app_label][model._meta.model_name] = ids[:1] + ids[-(IDS_PER_MODEL - 1) :]
    found["companies"]["company"] = [company_b.pk]
    return found


def _candidates(path: str, param: str, ids: dict) -> list[int]:
    """B's ids to put in `param` of `path`: the model named like the parameter in the route's app, else all
    of the app's models."""
    app = path.removeprefix("/api/v1/").split("/")[0]
    models = ids.get(app) or {}
    if not models:  # routes mounted outside an app prefix (/auth, /audit): every app's rows
        models = {name: values for per_app in ids.values() for name, values in per_app.items()}
    stem = param.removesuffix("_id").replace("_", "")
    named = [values for name, values in models.items() if name.endswith(stem)]
    chosen = named or list(models.values())
    return sorted({i for values in chosen for i in values})


def _example(schema: dict, components: dict, depth: int = 0):
    """The smallest value the schema accepts, so a request gets past body validation to the id lookup."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components, depth)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], components, depth)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        # Required fields, and optional text too (a reason or a note the route checks before the id).
        return {
            name: _example({k: v for k, v in sub.items() if k != "default"}, components, depth + 1)
            for name, sub in schema.get("properties", {}).items()
            if name in required or _is_text(sub, components)
        }
    if kind == "array":
        return [] if depth > 3 else [_example(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-01-01"
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    size = max(20, schema.get("minLength", 1))
    return "x" * min(size, schema.get("maxLength", size))  # text the schema bounds fits its column


def _is_text(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        return False
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "string" and "format" not in o and "enum" not in o for o in options)


def _dump() -> dict:
    """Every row of every table (but the noise), to compare before and after the walk."""
    state = {}
    for model in apps.get_models():
        if model._meta.label_lower in NOISE:
            continue
        state[model._meta.label_lower] = list(model._base_manager.order_by("pk").values())
    return state


def _operations(client: Client):
    document = client.get("/api/v1/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    for path, methods in document["paths"].items():
        if not PARAM.search(path):
            continue
        for method, operation in methods.items():
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _example(content["application/json"]["schema"], components)
            elif content:
                body = {}  # multipart: nothing to upload, the id is checked first or the form fails
            query = {
                p["name"]: _example(p.get("schema", {}), components)
                for p in operation.get("parameters", [])
                if p.get("in") == "query" and p.get("required")
            }
            yield path, method, body, query


def test_every_route_answers_404_for_another_companys_ids(make_company, make_user, api_client_for):
    demo.load()
    company_b = Company.objects.get(cnpj=demo.DEMO_CNPJ)
    company_a = make_company()
    client = api_client_for(make_user("admin", companies=[company_a]))
    ids = _ids_of_b(company_b)
    before = _dump()

    walked, failures = 0, []
    for path, method, body, query in _operations(client):
        if path.startswith("/api/v1/auth/tokens"):
            continue  # the caller's own tokens, not company data
        params = PARAM.findall(path)
        if NATURAL_KEYS.intersection(params):
            continue
        for value in _candidates(path, params[0], ids):
            url = path
            for param in params:
                url = url.replace("{" + param + "}", str(value))
            if query:
                url += "?" + urlencode(query)
            kwargs = {"content_type": "application/json"}
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, json.dumps(body or {}), **kwargs)
            walked += 1
            if response.status_code != 404:
                failures.append((method.upper(), url, response.status_code, response.content[:160]))

    assert walked > 100  # the document really was walked
    assert failures == [], "\n".join(map(str, failures))
    assert _dump() == before


def _page_routes():
    """(route, view module) of every page whose address holds a value, from the URL patterns (the API's
    own patterns excepted: walked above from its document)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    for route, pattern in walk(get_resolver().url_patterns):
        if "<" in route and not route.startswith("api/"):
            yield route, pattern.callback.__module__


PAGE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def test_every_page_with_an_id_answers_404_for_another_companys_ids(make_company, make_user, client):
    demo.load()
    company_b = Company.objects.get(cnpj=demo.DEMO_CNPJ)
    company_a = make_company()
    client.force_login(make_user("admin", companies=[company_a]))
    ids = _ids_of_b(company_b)
    before = _dump()

    walked, failures = 0, []
    for route, module in _page_routes():
        app = module.split(".")[1]
        converters = PAGE_PARAM.findall(route)
        first_int = next((name for kind, name in converters if kind == "int"), None)
        if first_int is None:
            continue  # no id in the address (a rule's code): nothing of another company to name
        for value in _candidates("/api/v1/" + app, first_int, ids):
            url = "/" + PAGE_PARAM.sub(lambda m, v=value: str(v) if m.group(1) == "int" else "x", route)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                walked += 1
                # 405: the page takes only the other method, and says nothing of the record.
                if response.status_code not in (404, 405):
                    failures.append((method.upper(), url, response.status_code))

    assert walked > 100
    assert failures == [], "\n".join(map(str, failures))
    assert _dump() == before
