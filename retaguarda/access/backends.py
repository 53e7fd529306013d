from django.contrib.auth.backends import ModelBackend

from retaguarda.access.departments import grants, permissions_of
from retaguarda.access.session_identity import user_with_workplaces


class DepartmentBackend(ModelBackend):
    """`user.has_perm("inventory.post")` answers from the departments the user holds in the company
    the request works in (`access.identity` sets it), never from another company's membership."""

    def get_user(self, user_id):
        """The session's user, read with the companies and departments the page will ask for (one query)."""
        user = user_with_workplaces(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        company_id = getattr(user_obj, "current_company_id", None)
        cached = getattr(user_obj, "_dept_perms", None)
        if cached is None or cached[0] != company_id:
            cached = user_obj._dept_perms = (company_id, permissions_of(user_obj.department_codes()))
        return grants(perm, cached[1])
