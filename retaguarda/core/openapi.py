"""The OpenAPI document tells the truth about what every route may answer.

Routes declare their success bodies; the failures every route shares come from the same plumbing
(`core.api.install_error_handlers`, the request guard, the identity middleware), so they are declared here
once, from what the route takes: any route may refuse malformed data (400, 422); a signed-in route may
answer 401 and 403; a route with an id in its path 404; a write 409 (a state or a conflict); a route with a
body 413. Idempotent writes document the `Idempotency-Key` header, signed-in routes the `X-Company` one.
"""

import re
from functools import wraps
from typing import get_args

from django.utils.translation import gettext as _
from ninja import NinjaAPI

from retaguarda.core.api import ErrorOut, error_json
from retaguarda.core.api_numbers import decimal_input_schema
from retaguarda.core.api_routes import grouped
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.request_guard import C0_CLASS

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
DESCRIPTIONS = {
    400: "Malformed request (a body that is not JSON, a malformed X-Company header).",
    401: "Not signed in, the token is unknown or revoked, or the credentials are wrong.",
    403: "The user may not do this in this company (or belongs to none).",
    404: "No record with this id (in the path or the body) in the company.",
    409: "The record's state or another record forbids it.",
    413: "The body is larger than the limit.",
    422: "Invalid data; `details` names each field and its problem.",
}
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Repeat a write safely: the first answer for this key and body is replayed for 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
}
COMPANY_HEADER = {
    "in": "header",
    "name": "X-Company",
    "required": False,
    "description": "The id of the company to work in (one of the user's); the user's current company without it.",
    "schema": {"type": "string", "pattern": r"^([1-9][0-9]{0,17})?$"},
}


def _is_idempotent(operation) -> bool:
    return any(getattr(d, "__name__", "") == "_idempotent" for d in getattr(operation, "_run_decorators", []))


def _operations(api: NinjaAPI) -> dict:
    """{operationId: ninja Operation} for every route of the API."""
    found = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                found[api.get_openapi_operation_id(operation)] = operation
    return found


def declare_shared_errors(document: dict, api: NinjaAPI) -> dict:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema())
    operations = _operations(api)
    for methods in document.get("paths", {}).values():
        for method, spec in methods.items():
            parameters = spec.setdefault("parameters", [])
            statuses = [400, 401, 422]
            if spec.get("security"):
                statuses += [403, 404]
                parameters.append(dict(COMPANY_HEADER))
            if any(p.get("in") == "path" for p in parameters):
                statuses.append(404)
            if method != "get":
                statuses.append(409)
            if "requestBody" in spec:
                statuses.append(413)
            if _is_idempotent(operations.get(spec.get("operationId"))):
                parameters.append(dict(IDEMPOTENCY_HEADER))
            responses = spec.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(
                    str(status),
                    {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": ERROR_REF}}},
                )
            if not parameters:
                del spec["parameters"]
            for parameter in parameters:
                # An integer in the path or query beyond 64 bits is refused (422 `core.out_of_range`): no
                # column holds it. A page size states narrower bounds of its own (core.api.PageLimit).
                _state_input_limits(parameter.get("schema", {}), components, set(), in_body=False)
            _state_input_limits(spec.get("requestBody", {}), components, set())
    return document


# Every input string is refused with control characters (the request guard), every integer beyond 64 bits
# (no column holds it): the document says so, so a client generating data from it stays within.
NO_CONTROL = f"^[^{C0_CLASS}]*$"
INT64 = {"minimum": -(2**63 - 1), "maximum": 2**63 - 1}  # `StrictSchema` refuses abs(value) >= 2**63


def _state_input_limits(node, components: dict, seen: set, in_body: bool = True) -> None:
    if isinstance(node, list):
        for item in node:
            _state_input_limits(item, components, seen, in_body)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref and ref not in seen:
        seen.add(ref)
        _state_input_limits(components.get(ref.split("/")[-1], {}), components, seen, in_body)
    branches = [b.get("type") for b in node.get("anyOf", [])]
    if "number" in branches and "string" in branches:  # a bare Decimal field: what the one reader takes
        # (a query string's decimal is parsed by the route itself, with a dot only)
        accepted = decimal_input_schema(comma=in_body)["anyOf"]
        node["anyOf"] = accepted + [b for b in node["anyOf"] if b.get("type") == "null"]
        return
    kind = node.get("type")
    if kind == "string" and "format" not in node and "enum" not in node and "pattern" not in node:
        node["pattern"] = NO_CONTROL
    elif kind == "integer":
        for key, value in INT64.items():
            node.setdefault(key, value)
    elif kind == "object" and node.get("additionalProperties") is not False:
        node.setdefault("propertyNames", {"pattern": NO_CONTROL})
    for key, value in node.items():
        if key not in ("$ref", "pattern", "propertyNames"):
            _state_input_limits(value, components, seen, in_body)


def _query_names(operation) -> frozenset:
    names = set()
    for model in operation.models:
        if model.__ninja_param_source__ == "query":
            names.update(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    return frozenset(names)


def _integer_names(operation, source: str) -> frozenset:
    """The parameters of `source` ("path", "query") the route reads as integers."""
    return frozenset(
        name
        for model in operation.models
        if model.__ninja_param_source__ == source
        for name, field in model.model_fields.items()
        if field.annotation is int or int in get_args(field.annotation)
    )


WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def _beyond_64_bits(value) -> bool:
    text = str(value)
    return bool(WHOLE_NUMBER.fullmatch(text)) and abs(int(text)) > INT64["maximum"]


def _refuse_unknown_query(operation):
    """A query parameter the route does not take is refused naming it, like an unknown body field
    (`?warehouse=3` for `?warehouse_id=3` would otherwise list every warehouse's rows); an integer in the
    path or the query beyond 64 bits (the document's bounds), like one in a body."""
    known = _query_names(operation)
    in_path, in_query = _integer_names(operation, "path"), _integer_names(operation, "query")

    def wrap(run):
        @wraps(run)
        def checked(request, *args, **kwargs):
            unknown = sorted(name for name in request.GET if name not in known)
            if unknown:
                message = _("Unknown query parameter: this route does not take it.")
                details = [{"field": f"?{name}", "message": message} for name in unknown]
                return error_json(ValidationFailed(message, details=details))
            too_large = [name for name in in_path if _beyond_64_bits(kwargs.get(name))] + [
                f"?{name}" for name in in_query if any(_beyond_64_bits(v) for v in request.GET.getlist(name))
            ]
            if too_large:
                message = _("Number too large.")
                return error_json(
                    ValidationFailed(message, details=[{"field": f, "message": message} for f in too_large])
                )
            return run(request, *args, **kwargs)

        return checked

    return wrap


class RetaguardaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the shared failures of every route, whose routes
    refuse query parameters they do not take, and whose URL list is grouped by segment (`core.api_routes`)."""

    def _get_urls(self):
        for bound in self._get_bound_routers():
            for view in bound.path_operations.values():
                for operation in view.operations:
                    if not getattr(operation, "_query_checked", False):
                        operation.run = _refuse_unknown_query(operation)(operation.run)
                        operation._query_checked = True
        return grouped(super()._get_urls())

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_shared_errors(document, self)
