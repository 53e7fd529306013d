"""A company's settings of one rule: enabled or not, and its thresholds within each one's bounds."""

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.watch import registry
from retaguarda.watch.models import RuleSetting


def save_rule_setting(*, actor: Actor, code: str, enabled: bool = True, params: dict | None = None) -> RuleSetting:
    rule = registry.get(code)
    if rule is None:
        raise NotFound()
    values, problems = {}, []
    for param in rule.params:
        raw = (params or {}).get(param.key, param.default)
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = None
        if value is None or not param.minimum <= value <= param.maximum:
            message = _("%(label)s must be a whole number from %(min)s to %(max)s.") % {
                "label": param.label,
                "min": param.minimum,
                "max": param.maximum,
            }
            problems.append({"field": param.key, "message": message})
        else:
            values[param.key] = value
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    with transaction.atomic():
        setting, created = RuleSetting.objects.select_for_update().get_or_create(
            company_id=actor.company_id, rule=code, defaults={"enabled": enabled, "params": values}
        )
        if created:
            audit.record_created(actor, setting)
            return setting
        before = audit.snapshot(setting, ["enabled", "params"])
        setting.enabled, setting.params = enabled, values
        setting.version += 1
        setting.save(update_fields=["enabled", "params", "version", "updated_at"])
        audit.record_changed(actor, setting, before)
    return setting
