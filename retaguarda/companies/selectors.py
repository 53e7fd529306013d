"""Reads of companies: which ones a user may see and work in."""

from django.db.models import Count, QuerySet

from retaguarda.companies.models import Company


def workable_companies(user) -> QuerySet[Company]:
    """The companies `user` may work in: all of them for a superuser, else those granted."""
    return Company.objects.all() if user.is_superuser else Company.objects.filter(users=user)


def companies_for(user) -> QuerySet[Company]:
    """`workable_companies` with what the company pages and routes show."""
    qs = workable_companies(user).select_related("municipality", "parent")
    return qs.annotate(branch_count=Count("branches", distinct=True))
