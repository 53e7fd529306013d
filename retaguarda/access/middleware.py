from django.core.exceptions import BadRequest
from django.urls import get_resolver, get_urlconf

from retaguarda.access.identity import resolve_identity
from retaguarda.core.errors import DomainError
from retaguarda.core.scope import NoCompany


def _refuse(request, exc: DomainError):
    """The project's own 400/403 handler answers (the API's error body, or the error page), without
    the traceback Django logs for an exception: a refusal is not a server fault."""
    status = 400 if isinstance(exc, BadRequest) else 403
    handler = get_resolver(get_urlconf()).resolve_error_handler(status)
    return handler(request, exception=exc)


class CurrentCompanyMiddleware:
    """Resolves who is asking and for which company (see `access.identity`); refuses every page of a
    signed-in user without a company unless the view is marked `@company_optional`.

    The API makes the same check in its authentication (`core.api_auth.require`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve_identity(request)
        except DomainError as exc:
            return _refuse(request, exc)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/") or getattr(view_func, "company_optional", False):
            return None
        if request.user.is_authenticated and request.company is None:
            return _refuse(request, NoCompany())
        return None
