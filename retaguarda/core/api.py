"""API plumbing shared by every router: the error body, pagination schema, idempotency keys."""

import hashlib
import json
import logging
import re
from functools import cache, wraps
from typing import Annotated, ClassVar, Generic, TypeVar, get_args, get_origin

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from retaguarda.core import decimals, idempotency, request_guard, text_limits
from retaguarda.core.api_numbers import decimal_fields
from retaguarda.core.errors import DomainError, IdempotencyConflict, ValidationFailed
from retaguarda.core.models import IdempotencyKey
from retaguarda.core.pagination import MAX_LIMIT, keyset_page

log = logging.getLogger(__name__)
T = TypeVar("T")


def _state_text_limits(schema: dict, cls) -> None:
    """The document says what `StrictSchema._read_input` refuses: each text field's `maxLength`, and the
    values a column with choices takes as an `enum`."""
    properties = schema.get("properties", {})
    for name, limit in text_fields(cls).items():
        prop = properties.get(name, {}) if limit else {}
        choices = choice_fields(cls).get(name)
        for branch in prop.get("anyOf", [prop]):
            if branch.get("type") == "string":
                branch["maxLength"] = limit
                if choices:
                    branch["enum"] = list(choices)


# Text with something besides spaces, and no control character (`core.request_guard`).
NOT_BLANK = f"^[^{request_guard.C0_CLASS}]*[^{request_guard.C0_CLASS}\\s][^{request_guard.C0_CLASS}]*$"


class Filled:
    """Input metadata: text that must hold more than spaces (a name, a code, a reason). Blank once trimmed
    is refused naming the field, and the document states it as a `pattern`: `name: FilledText`."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {**handler(core_schema), "pattern": NOT_BLANK}


FilledText = Annotated[str, Filled()]


class StrictSchema(Schema):
    """The base of every request body: a field the route does not know is refused (422 naming it), never
    silently dropped (`preco` instead of `price` would save a product at zero).

    `writes` names the models the body fills: a text field named like one of their columns is refused
    beyond the column's `max_length` (`core.text_limits`), before the database (SQLite would store it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_state_text_limits)
    writes: ClassVar[tuple] = ()
    # A field named unlike its column: {"reason": SalesOrder.cancel_reason}.
    columns: ClassVar[dict] = {}
    # Fields typed with punctuation the service strips (a CNPJ with dots): `text_limits.TYPED_LENGTHS`.
    typed: ClassVar[frozenset] = frozenset()

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info: ValidationInfo):
        """A body is validated once, as it came. (Ninja's `Schema` validates a model that forbids extra
        fields twice, the second time through its ORM attribute getter, which a JSON body never needs:
        every value of a 1,000-line body went through the decimal reader twice.)"""
        return handler(values)

    @field_validator("*", mode="before")
    @classmethod
    def _read_input(cls, value, info: ValidationInfo):
        """Text within its column; every decimal field through the one reader (`core.decimals`): NaN,
        infinity, exponents, extra places and digits beyond the column are refused naming the field, never
        rounded or left to the database."""
        if isinstance(value, str):
            if info.field_name in filled_fields(cls) and not value.strip():
                raise ValueError(_("This field is required."))
            limit = text_fields(cls).get(info.field_name)
            if limit and len(value) > limit:
                raise ValueError(text_limits.too_long_message(limit))
            choices = choice_fields(cls).get(info.field_name)
            if choices and value not in choices:
                raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(c for c in choices if c)})
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            raise ValueError(_("Number too large."))  # no column holds it (SQLite would not even bind it)
        limits = decimal_fields(cls).get(info.field_name)
        if limits is None or value is None:
            return value
        places, whole_digits, above_zero = limits
        number = decimals.read_decimal(value, places=places, whole_digits=whole_digits)
        if above_zero and number <= 0:
            raise ValueError(_("Must be greater than zero."))
        return number


def _column(schema, name: str):
    """The model field that holds `schema`'s field `name` (a `columns` entry, else a same-named column of
    a model it `writes`), or None."""
    if name in schema.columns:
        return schema.columns[name].field
    for model in schema.writes:
        if name in text_limits.char_limits(model) or name in text_limits.free_texts(model):
            return model._meta.get_field(name)
    return None


def _is_text(field) -> bool:
    """`str`, `str | None`, `FilledText | None`."""
    return field.annotation is str or any(
        arg is str or (get_origin(arg) is Annotated and get_args(arg)[0] is str) for arg in get_args(field.annotation)
    )


@cache
def text_fields(schema) -> dict[str, int | None]:
    """{field: max_length} of `schema`'s text fields whose column is known (a `TYPED_LENGTHS` format, a
    `columns` entry, a same-named column of a model it `writes`); None for a column without a limit (a
    `TextField`: only the body size bounds it)."""
    found = {}
    for name, field in schema.model_fields.items():
        if not _is_text(field):
            continue
        column = None if name in schema.typed else _column(schema, name)
        if name in schema.typed:
            found[name] = text_limits.TYPED_LENGTHS[name]
        elif column is not None:
            found[name] = column.max_length
    return found


@cache
def filled_fields(schema) -> frozenset[str]:
    """The fields of `schema` declared `FilledText` (or `FilledText | None`)."""
    found = set()
    for name, field in schema.model_fields.items():
        metadata = list(field.metadata)
        for arg in get_args(field.annotation):
            if get_origin(arg) is Annotated:
                metadata += get_args(arg)[1:]
        if any(isinstance(item, Filled) for item in metadata):
            found.add(name)
    return frozenset(found)


@cache
def choice_fields(schema) -> dict[str, tuple[str, ...]]:
    """{field: the values it takes} of `schema`'s text fields whose column has choices (the field's own
    default too: `""` for "none" where the column allows it)."""
    found = {}
    for name, field in schema.model_fields.items():
        column = _column(schema, name) if _is_text(field) and name not in schema.typed else None
        if column is not None and column.choices:
            values = tuple(str(value) for value, _label in column.choices)
            if isinstance(field.default, str) and field.default not in values:
                values += (field.default,)
            found[name] = values
    return found


class VersionIn(StrictSchema):
    """The body of a command that only names the version the caller saw (optimistic locking)."""

    version: int | None = None


class ErrorOut(Schema):
    code: str
    message: str
    details: list = []


# A list route's page size: `limit: PageLimit = 50`. Outside 1..200 it is refused (422), not clamped, and the
# OpenAPI document states the bounds (a test checks every list route takes it).
PageLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def keyset_page_body(qs, *, cursor: str | None, limit: int, ordering: tuple[str, ...]) -> dict:
    """The body of a `Page` route: one keyset page of `qs` and the cursor of the next one."""
    items, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, ordering=ordering)
    return {"items": items, "next_cursor": next_cursor}


def error_response(api, request, status: int, code: str, message: str, details: list | None = None):
    return api.create_response(request, {"code": code, "message": message, "details": details or []}, status=status)


def _ninja_validation_details(exc: NinjaValidationError) -> list[dict]:
    details = []
    for err in exc.errors:
        # ("body", "body", "name"): where the value came from and the route's argument, then the field (which
        # may itself be called `body`, as a reminder's message is).
        loc = [str(p) for p in err.get("loc", [])]
        while len(loc) > 1 and loc[0] in ("body", "query", "path", "payload"):
            loc.pop(0)
        field = ".".join(loc) or None
        if err.get("type") == "extra_forbidden":
            message = _("Unknown field %(field)s: this route does not take it.") % {"field": loc[-1] if loc else ""}
        else:
            message = _translate_pydantic(err)
        details.append({"field": field, "message": message})
    return details


def _translate_pydantic(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("decimal") or kind in ("float_parsing", "int_parsing"):
        return _("Invalid number.")
    if kind in ("greater_than_equal", "less_than_equal"):
        ctx = err.get("ctx", {})
        if kind == "greater_than_equal":
            return _("Must be at least %(bound)s.") % {"bound": ctx.get("ge")}
        return _("Must be at most %(bound)s.") % {"bound": ctx.get("le")}
    if kind == "string_too_short":
        minimum = err.get("ctx", {}).get("min_length", 1)
        return ngettext("Write at least %(min)d character.", "Write at least %(min)d characters.", minimum) % {
            "min": minimum
        }
    if kind == "too_short":
        minimum = err.get("ctx", {}).get("min_length", 1)
        return ngettext("Include at least %(min)d item.", "Include at least %(min)d items.", minimum) % {"min": minimum}
    if kind.startswith("string_too_long"):
        return text_limits.too_long_message(err.get("ctx", {}).get("max_length", 0))
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Invalid date.")
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err.get("msg", "")))
    return _("Invalid value.")


def install_error_handlers(api) -> None:
    """Every failure answers `{"code", "message", "details"}`; no traceback ever leaves the server."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        details = _ninja_validation_details(exc)
        return error_response(api, request, 422, "core.validation", _("The data sent is invalid."), details)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc):
        err = ValidationFailed.from_django(exc)
        return error_response(api, request, 422, err.code, err.message, err.details)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return error_response(api, request, 401, "access.unauthenticated", _("Authentication required."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(api, request, 403, "access.forbidden", _("You are not allowed to do this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(api, request, 404, "core.not_found", _("Record not found."))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return error_response(api, request, exc.status_code, f"http.{exc.status_code}", str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        # A body without Content-Length that grows past the limit while being read.
        limit = request_guard.max_body_bytes()
        return error_response(api, request, 413, "core.too_large", request_guard.too_large_message(limit))

    @api.exception_handler(IntegrityError)
    def integrity_error(request, exc):
        log.warning("integrity error on %s: %s", request.path, exc)
        return error_response(api, request, 409, "core.conflict", _("The record conflicts with an existing one."))

    @api.exception_handler(ObjectDoesNotExist)
    def missing_row(request, exc):
        # A `.get()` that found nothing in the company: the same 404 as a foreign id.
        return error_response(api, request, 404, "core.not_found", _("Record not found."))

    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        # The last line of defence (inputs are checked before): a value the column cannot hold.
        log.warning("data error on %s: %s", request.path, exc)
        return error_response(api, request, 422, "core.out_of_range", _("A value is out of the accepted range."))

    @api.exception_handler(OverflowError)
    def overflow(request, exc):
        # SQLite cannot bind an integer beyond 64 bits (an id such as 10**30).
        return error_response(api, request, 422, "core.out_of_range", _("A value is out of the accepted range."))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("unhandled error on %s", request.path)
        return error_response(api, request, 500, "core.internal", _("Internal error. The team has been notified."))


def _request_hash(request) -> str:
    return hashlib.sha256(b"\0".join([request.method.encode(), request.path.encode(), request.body or b""])).hexdigest()


def error_json(exc: DomainError) -> HttpResponse:
    body = {"code": exc.code, "message": exc.message, "details": exc.details}
    return HttpResponse(json.dumps(body), status=exc.status, content_type="application/json")


# Answers naming one of these fields are never stored by the idempotency wrapper.
SECRET_FIELDS = frozenset({"token", "password", "secret", "api_key", "private_key", "csc"})
_SECRET_KEYS_AS_SENT = tuple(f'"{name}"'.encode() for name in SECRET_FIELDS)


def _answer_carries_secret(content: bytes) -> bool:
    """Only an answer whose text names a secret field is parsed to look closer."""
    return any(name in content for name in _SECRET_KEYS_AS_SENT) and _carries_secret(json.loads(content))


def _carries_secret(body) -> bool:
    if isinstance(body, dict):
        return any(k in SECRET_FIELDS or _carries_secret(v) for k, v in body.items())
    if isinstance(body, list):
        return any(_carries_secret(v) for v in body)
    return False


_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _replay(stored: IdempotencyKey, digest: str) -> HttpResponse:
    """The stored answer, or the conflict when the key came with another body."""
    if stored.request_hash != digest:
        return error_json(IdempotencyConflict())
    response = HttpResponse(json.dumps(stored.response), status=stored.status, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _idempotent(run):
    # This wraps ninja's `Operation.run`, outside its exception handlers: refusals answer here.
    @wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")  # not `request.headers`: see `access.identity`
        user = request.user  # resolved by CurrentCompanyMiddleware, before the route's own auth runs
        if key is None or not user.is_authenticated:
            return run(request, *args, **kwargs)
        if not _KEY.fullmatch(key):  # the document's pattern: an empty or odd key is refused, not ignored
            return error_json(ValidationFailed(_("Idempotency key: 1 to 200 visible ASCII characters.")))
        digest = _request_hash(request)
        # The route and the key with its answer in one transaction; the key is its last statement, so the
        # wrapper costs that one INSERT (`core.idempotency`). A key already held, by an earlier request or a
        # twin that committed while this one ran, rolls everything back and the held answer is replayed.
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                content = response.content or b"null"
                if _answer_carries_secret(content):
                    return response  # never kept, even for a day: this POST is simply not idempotent
                if idempotency.store(
                    user.pk, key, request.method, request.path, digest, response.status_code, content.decode()
                ):
                    return response
            transaction.set_rollback(True)  # a failed attempt does not burn the key; a replay writes nothing
        stored = idempotency.stored(user.pk, key)
        if stored is not None:
            return _replay(stored, digest)
        if 200 <= response.status_code < 300:
            # Held when this request ended, gone now (purged as it expired): nothing happened, try again.
            return wrapper(request, *args, **kwargs)
        return response

    return wrapper


def idempotent(func):
    """Route decorator: an `Idempotency-Key` header makes the POST happen once per key and body."""
    return decorate_view(_idempotent)(func)
