"""What an actor may touch: its company's rows (every row for a system actor) and active warehouses."""

from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.inventory.models import Warehouse


def scoped(model, actor: Actor):
    return model.objects.filter(company_id=actor.company_id) if actor.company_id else model.objects.all()


def warehouse_of(actor: Actor, warehouse_id: int) -> Warehouse:
    """The active warehouse a document names; a missing or inactive one is a validation error."""
    warehouse = scoped(Warehouse, actor).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("Warehouse not found.")}])
    if not warehouse.active:
        raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("The warehouse is inactive.")}])
    return warehouse
