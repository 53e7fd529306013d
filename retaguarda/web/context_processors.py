from retaguarda.companies.selectors import workable_companies
from retaguarda.web.navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    companies = workable_companies(user)
    return {
        "menu": menu_for(user, request.path),
        "current_company": getattr(request, "company", None),
        "switchable_companies": companies,
    }
