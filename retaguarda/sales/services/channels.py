"""Sales channels and salespeople: small master data, created and edited through these functions."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.models import PriceList
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import amount, quantize
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.inventory.models import Warehouse
from retaguarda.sales.models import ChannelKind, SalesChannel, Salesperson

CHANNEL_FIELDS = ["code", "name", "kind", "price_list_id", "warehouse_id", "fee_percent", "fee_fixed", "active"]


def _channel_problems(company_id: int, channel: SalesChannel) -> list[dict]:
    problems = []
    channel.code = (channel.code or "").strip().upper()
    channel.name = (channel.name or "").strip()
    if not channel.code or len(channel.code) > 20:
        problems.append({"field": "code", "message": _("Enter a code of up to 20 characters.")})
    if not channel.name:
        problems.append({"field": "name", "message": _("Enter the name.")})
    if channel.kind not in ChannelKind.values:
        problems.append({"field": "kind", "message": _("Choose the kind of channel.")})
    if not scoped(Warehouse, company_id).filter(pk=channel.warehouse_id, is_active=True).exists():
        problems.append(missing_row("warehouse_id", _("Warehouse not found.")))
    if channel.price_list_id and not scoped(PriceList, company_id).filter(pk=channel.price_list_id).exists():
        problems.append(missing_row("price_list_id", _("Price list not found.")))
    try:
        channel.fee_percent = quantize(Decimal(channel.fee_percent), 4)
        if not 0 <= channel.fee_percent < 100:
            raise ValueError
    except (ArithmeticError, ValueError, TypeError):
        problems.append({"field": "fee_percent", "message": _("The fee is a percentage from 0 to 99.99.")})
    try:
        channel.fee_fixed = amount(Decimal(channel.fee_fixed))
        if channel.fee_fixed < 0:
            raise ValueError
    except (ArithmeticError, ValueError, TypeError):
        problems.append({"field": "fee_fixed", "message": _("Enter an amount of zero or more.")})
    if channel.code and scoped(SalesChannel, company_id).filter(code=channel.code).exclude(pk=channel.pk).exists():
        problems.append({"field": "code", "message": _("Another channel has this code.")})
    return problems


def create_channel(*, actor: Actor, **fields) -> SalesChannel:
    company_id = company_id_of(actor)
    unknown = set(fields) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValidationFailed(details=[{"field": f, "message": _("Unknown field.")} for f in sorted(unknown)])
    channel = SalesChannel(company_id=company_id, **{"fee_percent": 0, "fee_fixed": 0, **fields})
    with transaction.atomic():
        problems = _channel_problems(company_id, channel)
        if problems:
            raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
        channel.save()
        audit.record_created(actor, channel)
    return channel


def update_channel(channel_id: int, *, actor: Actor, version: int | None, **changes) -> SalesChannel:
    company_id = company_id_of(actor)
    unknown = set(changes) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValidationFailed(details=[{"field": f, "message": _("Unknown field.")} for f in sorted(unknown)])
    with transaction.atomic():
        channel = lock_for_edit(scoped(SalesChannel, company_id), channel_id, version)
        before = audit.snapshot(channel, CHANNEL_FIELDS)
        for name, value in changes.items():
            setattr(channel, name, value)
        problems = _channel_problems(company_id, channel)
        if problems:
            raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
        channel.version += 1
        channel.save()
        audit.record_changed(actor, channel, before)
    return channel


def create_salesperson(*, actor: Actor, name: str, email: str = "", user_id: int | None = None) -> Salesperson:
    company_id = company_id_of(actor)
    name = (name or "").strip()
    with transaction.atomic():
        if not name:
            raise ValidationFailed(details=[{"field": "name", "message": _("Enter the name.")}])
        if scoped(Salesperson, company_id).filter(name=name).exists():
            raise ValidationFailed(details=[{"field": "name", "message": _("Another salesperson has this name.")}])
        person = Salesperson.objects.create(company_id=company_id, name=name[:80], email=email, user_id=user_id)
        audit.record_created(actor, person)
    return person
