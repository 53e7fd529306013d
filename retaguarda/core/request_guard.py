"""Hostile input stopped at the door, before any view or database sees it.

- A body larger than `MAX_BODY_BYTES` (uploads: `MAX_UPLOAD_BYTES`) answers 413 with the error body.
- Text with NUL or other control characters (tab, line feeds excepted) in a JSON body or a query string
  answers 422 naming the field: PostgreSQL refuses NUL in text (a 500), SQLite stores it (and the data could
  then never move to PostgreSQL). Page forms (url-encoded or multipart fields, not the files) are checked too.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

# C0 controls except \t \n \r, and DEL: what the OpenAPI document's patterns exclude.
C0_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f"
# And lone UTF-16 surrogates (JSON "\ud800": no UTF-8 for PostgreSQL), which a document cannot name: they are
# no characters, and a regex engine such as Rust's (JSON Schema validators) refuses them in a class.
CONTROL_CLASS = C0_CLASS + "\\ud800-\\udfff"
_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
# What a JSON body must hold, as bytes, to carry one once parsed: DEL as it is, or the escape of a control
# (`\b`, `\f`, `\u0000`-`\u001f`, `\u007f`) or of a surrogate; a NUL byte (UTF-16 or UTF-32 text, or a
# raw NUL, which the parser refuses). Raw C0 controls are no JSON inside a string and raw surrogates no UTF-8.
# A body without any is clean without being parsed (a reservation's was parsed here and again by ninja);
# a match, even a false one (`\\b`, `\u000a`), is parsed and looked at as before.
_MAY_CARRY_CONTROL = re.compile(rb"[\x00\x7f]|\\(?:[bf]|u00[01]|u007[fF]|u[dD][89a-fA-F])")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
DEFAULT_MAX_BODY_BYTES = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def max_body_bytes() -> int:
    return getattr(settings, "MAX_BODY_BYTES", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_MAX_BODY_BYTES


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_BYTES", None) or DEFAULT_MAX_UPLOAD_BYTES


def too_large_message(limit: int) -> str:
    size = f"{limit / 1048576:.1f} MB" if limit >= 1048576 else f"{max(limit // 1024, 1)} KB"
    return _("The request is too large: the limit is %(size)s.") % {"size": size.replace(".0 ", " ").replace(".", ",")}


def control_characters(value, path: str = "") -> list[str]:
    """The paths (`lines.0.name`) of every string in `value` holding a control character."""
    found = []
    if isinstance(value, str):
        if _CONTROL.search(value):
            found.append(path or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _CONTROL.search(key):
                found.append(key_path)
            found.extend(control_characters(item, key_path))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(control_characters(item, f"{path}.{index}" if path else str(index)))
    return found


# A page refused here is shown in the app's layout by this middleware, further down the list (it
# needs the session and the user, which are not there yet): see `refusal_of`.
PAGE_MIDDLEWARE = "retaguarda.web.middleware.RefusalPageMiddleware"


def refusal_of(request) -> tuple[int, str] | None:
    """The (status, message) this guard refused a page with, for the page middleware to show."""
    return getattr(request, "_guard_refusal", None)


def _answer(request, status: int, code: str, message: str, details: list | None = None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "details": details or []}, status=status)
    if PAGE_MIDDLEWARE in settings.MIDDLEWARE:
        request._guard_refusal = (status, message)
        return None
    # This runs before sessions and sign-in: a bare page, no template that would need them.
    fields = "".join(f"<li>{escape(d['field'])}</li>" for d in details or [] if d.get("field"))
    html = f'<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>{status}</title><p>{escape(message)}</p>'
    if fields:
        html += f"<ul>{fields}</ul>"
    return HttpResponse(html, status=status)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._oversized(request)
        if refusal is None and refusal_of(request) is None:
            refusal = self._control_characters(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _oversized(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _answer(request, 400, "core.bad_request", _("The request is malformed."))
        upload = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        limit = max_upload_bytes() if upload else max_body_bytes()
        if length > limit:
            return _answer(request, 413, "core.too_large", too_large_message(limit))
        return None

    def _control_characters(self, request):
        fields = [f"?{name}" for name, values in request.GET.lists() if control_characters([name, *values])]
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith(FORM_TYPES) and request.method == "POST":
            # Page forms: a pasted NUL or escape code would crash PostgreSQL or be stored on SQLite.
            try:
                posted = list(request.POST.lists())
            except RequestDataTooBig:  # a form field over DATA_UPLOAD_MAX_MEMORY_SIZE: the same refusal
                return _answer(request, 413, "core.too_large", too_large_message(max_body_bytes()))
            fields += [name for name, values in posted if control_characters([name, *values])]
        elif content_type.startswith("application/json") and _MAY_CARRY_CONTROL.search(request.body):
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                body = None  # the API's own parser answers a malformed body
            fields += control_characters(body)
        if not fields:
            return None
        message = _("Control characters (such as NUL) are not allowed in text.")
        details = [{"field": field, "message": message} for field in fields]
        return _answer(request, 422, "core.validation", message, details)
