from django.contrib.auth.backends import ModelBackend

from retaguarda.access.departments import grants, permissions_of


class DepartmentBackend(ModelBackend):
    """`user.has_perm("inventory.post")` answers from the user's departments."""

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        if user_obj.is_superuser:
            return True
        if not hasattr(user_obj, "_dept_perms"):
            user_obj._dept_perms = permissions_of(user_obj.department_codes())
        return grants(perm, user_obj._dept_perms)
