from retaguarda.companies.selectors import workable_companies
from retaguarda.web.navigation import sidebar


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Read with the request's identity (`access.identity`); a page outside the middleware reads them.
    companies = getattr(request, "workable_companies", None)
    if companies is None:
        companies = workable_companies(user)
    return {
        "sidebar": sidebar(user, request.path),
        "current_company": getattr(request, "company", None),
        "switchable_companies": companies,
    }
