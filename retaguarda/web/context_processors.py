from retaguarda.web.navigation import menu_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    companies = user.companies.all() if not user.is_superuser else None
    if companies is None:
        from retaguarda.companies.models import Company

        companies = Company.objects.all()
    return {
        "menu": menu_for(user, request.path),
        "current_company": getattr(request, "company", None),
        "switchable_companies": companies,
    }
