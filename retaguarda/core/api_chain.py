"""A program's API request runs the API's own middleware list, not the pages'.

A request under `/api/` that carries a bearer token comes from a program: it sends no cookie, so the
session, CSRF, the messages, the sign-in from the session, htmx, the static files and the refusal page
have nothing to do for it, yet each ran on every call (docs/request-cost.md). `ProgramRequestMiddleware`,
first in `MIDDLEWARE`, hands such a request to the chain built from `API_MIDDLEWARE` (the security headers,
the request guard, the identity) and Django's own URL resolution and view call after it; every other request,
the browser's use of the API with its session included, goes on down `MIDDLEWARE`.
"""

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.utils.module_loading import import_string

API_PREFIX = "/api/"


def is_program_request(request) -> bool:
    """Under /api/ with `Authorization: Bearer ...` (the scheme in any case, as `access.identity` reads it)."""
    return request.path_info.startswith(API_PREFIX) and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == (
        "bearer "
    )


class _ApiHandler(BaseHandler):
    """Django's request handling (URL resolution, view middleware, the view, its exceptions) under
    `API_MIDDLEWARE`. The list is synchronous middleware only, as the whole project's is."""

    def __init__(self, paths: list[str]):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


class ProgramRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.api_chain = _ApiHandler(settings.API_MIDDLEWARE)._middleware_chain

    def __call__(self, request):
        if is_program_request(request):
            return self.api_chain(request)
        return self.get_response(request)
