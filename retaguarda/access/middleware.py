from retaguarda.access.services import user_for_token


def _current_company(request):
    user = request.user
    if not user.is_authenticated:
        return None
    allowed = user.companies.all() if not user.is_superuser else None
    from retaguarda.companies.models import Company

    scope = Company.objects.all() if allowed is None else allowed
    wanted = request.headers.get("X-Company") or request.session.get("company_id")
    if wanted:
        company = scope.filter(pk=wanted).first()
        if company is not None:
            return company
    if user.default_company_id:
        company = scope.filter(pk=user.default_company_id).first()
        if company is not None:
            return company
    return scope.order_by("id").first()


class CurrentCompanyMiddleware:
    """Resolves the API bearer token into `request.user`, then the company the user works in.

    A token request is a program, not a browser: it carries no cookie to forge, so CSRF is off for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        request.auth_method = "session"
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            request.auth_method = "token"
            request._dont_enforce_csrf_checks = True
            if user is not None:
                request.user = user
            else:
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
        request.company = _current_company(request)
        return self.get_response(request)
