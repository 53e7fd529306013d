"""A company's choice of manager for each department: the person told when its occurrences escalate."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.access.departments import DEPARTMENTS
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.watch.models import DepartmentSetting


def save_department_manager(*, actor: Actor, department: str, manager_id: int | None) -> DepartmentSetting:
    if department not in DEPARTMENTS:
        raise ValidationFailed(
            _("Unknown department."), details=[{"field": "department", "message": _("Unknown department.")}]
        )
    if manager_id is not None and not (
        get_user_model()
        .objects.filter(pk=manager_id, is_active=True, memberships__company_id=actor.company_id)
        .exists()
    ):
        message = _("Choose an active user of this company as the manager.")
        raise ValidationFailed(message, details=[missing_row("manager", message)])
    with transaction.atomic():
        setting, created = DepartmentSetting.objects.select_for_update().get_or_create(
            company_id=actor.company_id, department=department, defaults={"manager_id": manager_id}
        )
        if created:
            audit.record_created(actor, setting)
            return setting
        before = audit.snapshot(setting, ["manager"])
        setting.manager_id = manager_id
        setting.version += 1
        setting.save(update_fields=["manager", "version", "updated_at"])
        audit.record_changed(actor, setting, before)
    return setting
