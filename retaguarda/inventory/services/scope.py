"""The active warehouse of the actor's company that a document names."""

from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.scope import scoped
from retaguarda.inventory.models import Warehouse


def warehouse_of(actor: Actor, warehouse_id: int) -> Warehouse:
    """The active warehouse a document names; a missing or inactive one is a validation error."""
    warehouse = scoped(Warehouse, actor).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed(details=[missing_row("warehouse_id", _("Warehouse not found."))])
    if not warehouse.is_active:
        raise ValidationFailed(details=[{"field": "warehouse_id", "message": _("The warehouse is inactive.")}])
    return warehouse
