"""`user.companies.add(company)` (a user registering a company, from `companies.services`, which cannot
import access) gives the new membership the departments the user holds where they work now, as the
user had before departments were per company. Memberships written by `access.services` set their
departments explicitly and do not pass through here."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from retaguarda.access.models import Department, Membership, User


@receiver(m2m_changed, sender=User.companies.through)
def carry_departments(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or reverse or not pk_set:
        return
    codes = instance.department_codes()
    if not codes:
        return
    departments = list(Department.objects.filter(code__in=codes))
    for membership in Membership.objects.filter(user=instance, company_id__in=pk_set, departments__isnull=True):
        membership.departments.set(departments)
    instance.forget_departments()
