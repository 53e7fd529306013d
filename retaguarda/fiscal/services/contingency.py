"""Entering and leaving contingency, by hand or after SEFAZ failed to answer several times in a row (and
then left by itself when the state's service answers again: `transmission.probe_contingencies`).

In contingency, notes issued from then on take the contingency emission type (`sefaz.contingency`):
NF-e are authorized by the state's SVC, NFC-e are issued offline and sent when SEFAZ answers again.
Notes already queued keep their normal emission (their key and signature say tpEmis 1) and wait for
the state's own service.
"""

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.scope import company_id_of
from retaguarda.fiscal import certificates
from retaguarda.fiscal.models import FiscalSettings

AUTOMATIC_AFTER = 3  # failures in a row (settings.FISCAL_CONTINGENCY_AFTER overrides)


def _locked(company_id: int) -> FiscalSettings:
    return (
        FiscalSettings.objects.select_for_update(of=("self",))
        .defer(*certificates.SECRET_FIELDS)
        .get(company_id=company_id)
    )


def _switch(
    settings: FiscalSettings, actor: Actor, *, on: bool, reason: str = "", automatic: bool = False
) -> FiscalSettings:
    before = audit.snapshot(settings, ["contingency", "contingency_since", "contingency_reason"])
    settings.contingency = on
    settings.contingency_since = timezone.now().replace(microsecond=0) if on else None
    settings.contingency_reason = reason if on else ""
    settings.contingency_automatic = on and automatic
    settings.sefaz_failures = 0
    settings.version += 1
    settings.save(
        update_fields=[
            "contingency",
            "contingency_since",
            "contingency_reason",
            "contingency_automatic",
            "sefaz_failures",
            "version",
            "updated_at",
        ]
    )
    audit.record_changed(actor, settings, before, "contingency_on" if on else "contingency_off")
    return settings


def enter_contingency(reason: str, *, actor: Actor) -> FiscalSettings:
    """Issue in contingency from now on; `reason` is the xJust printed on every note (15 to 256 characters)."""
    reason = " ".join(reason.split())
    if not 15 <= len(reason) <= 256:
        raise ValidationFailed(
            details=[{"field": "reason", "message": _("Say why, in 15 to 256 characters (it goes on every note).")}]
        )
    with transaction.atomic():
        settings = _locked(company_id_of(actor))
        if settings.contingency:
            return settings
        return _switch(settings, actor, on=True, reason=reason)


def leave_contingency(*, actor: Actor) -> FiscalSettings:
    """Back to the state's own service for the notes issued from now on."""
    with transaction.atomic():
        settings = _locked(company_id_of(actor))
        if not settings.contingency:
            return settings
        return _switch(settings, actor, on=False)


def sefaz_answered(company_id: int) -> None:
    FiscalSettings.objects.filter(company_id=company_id, sefaz_failures__gt=0).update(sefaz_failures=0)


def sefaz_failed(company_id: int) -> bool:
    """Count one more failure in a row; at the threshold, enter contingency. True when it just did."""
    limit = getattr(django_settings, "FISCAL_CONTINGENCY_AFTER", AUTOMATIC_AFTER)
    with transaction.atomic():
        FiscalSettings.objects.filter(company_id=company_id).update(sefaz_failures=F("sefaz_failures") + 1)
        settings = _locked(company_id)
        if settings.contingency or not limit or settings.sefaz_failures < limit:
            return False
        reason = _("SEFAZ did not answer %(count)s times in a row; contingency entered automatically.") % {
            "count": settings.sefaz_failures
        }
        _switch(settings, Actor.system(company_id=company_id), on=True, reason=reason[:256], automatic=True)
    return True


def leave_automatic_contingency(company_id: int) -> bool:
    """End a contingency that began by itself (the state's service answered 107 again); one entered by
    hand is left to whoever entered it. True when it ended."""
    with transaction.atomic():
        settings = _locked(company_id)
        if not (settings.contingency and settings.contingency_automatic):
            return False
        _switch(settings, Actor.system(company_id=company_id), on=False)
    return True
