"""The company's map from a supplier's CFOP to our entry CFOP (over the defaults in `nfe.cfop`)."""

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Cfop
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.purchasing.models import CfopMapping


def _problems(supplier_cfop: str, entry_cfop: str) -> list[dict]:
    details = []
    if len(supplier_cfop) != 4 or not supplier_cfop.isdigit() or supplier_cfop[0] not in "567":
        details.append(
            {
                "field": "supplier_cfop",
                "message": _("The supplier's CFOP is an exit: 4 digits starting with 5, 6 or 7."),
            }
        )
    if len(entry_cfop) != 4 or not entry_cfop.isdigit() or entry_cfop[0] not in "123":
        details.append({"field": "entry_cfop", "message": _("The entry CFOP has 4 digits starting with 1, 2 or 3.")})
    elif not Cfop.objects.filter(code=entry_cfop, is_active=True).exists():
        details.append(
            {"field": "entry_cfop", "message": _("CFOP %(code)s is not in the official table.") % {"code": entry_cfop}}
        )
    return details


def set_cfop_mapping(*, actor: Actor, supplier_cfop: str, entry_cfop: str) -> CfopMapping:
    """Create or change the company's entry CFOP for `supplier_cfop`."""
    supplier_cfop, entry_cfop = (supplier_cfop or "").strip(), (entry_cfop or "").strip()
    details = _problems(supplier_cfop, entry_cfop)
    if details:
        raise ValidationFailed(details=details)
    company_id = company_id_of(actor)
    with transaction.atomic():
        row = scoped(CfopMapping, actor).select_for_update().filter(supplier_cfop=supplier_cfop).first()
        if row is None:
            row = CfopMapping.objects.create(company_id=company_id, supplier_cfop=supplier_cfop, entry_cfop=entry_cfop)
            audit.record_created(actor, row)
        elif row.entry_cfop != entry_cfop:
            audit.record(actor, row, "changed", {"entry_cfop": [row.entry_cfop, entry_cfop]})
            row.entry_cfop = entry_cfop
            row.save(update_fields=["entry_cfop", "updated_at"])
    return row


def delete_cfop_mapping(*, actor: Actor, supplier_cfop: str) -> None:
    """Back to the default for `supplier_cfop`."""
    with transaction.atomic():
        row = scoped(CfopMapping, actor).select_for_update().filter(supplier_cfop=(supplier_cfop or "").strip()).first()
        if row is None:
            raise NotFound()
        audit.record(actor, row, "deleted", {"entry_cfop": [row.entry_cfop, None]})
        row.delete()
