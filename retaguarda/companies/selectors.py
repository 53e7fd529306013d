"""Reads of companies: which ones a user may see and work in."""

from django.db.models import Count, QuerySet

from retaguarda.companies.models import Company


def companies_for(user) -> QuerySet[Company]:
    """The companies `user` may work in: all of them for a superuser, else those granted."""
    qs = Company.objects.select_related("municipality", "parent")
    if not user.is_superuser:
        qs = qs.filter(users=user)
    return qs.annotate(branch_count=Count("branches", distinct=True))
