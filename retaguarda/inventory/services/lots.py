"""Lots are named by their code within a product; receipts and manual entries create them on first use."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.scope import scoped
from retaguarda.inventory.models import Lot


def lot_for(*, actor: Actor, product_id: int, code: str, expiry: date | None = None) -> Lot:
    """The product's lot with this code, created on first use (receipts name lots by code)."""
    code = code.strip()
    if not code:
        raise ValidationFailed(details=[{"field": "lot", "message": _("This field is required.")}])
    product = scoped(Product, actor).filter(pk=product_id).only("company_id").first()
    if product is None:
        raise NotFound()
    lot = Lot.objects.filter(product_id=product_id, code=code).first()
    if lot is None:
        try:
            with transaction.atomic():
                lot = Lot.objects.create(company_id=product.company_id, product_id=product_id, code=code, expiry=expiry)
                audit.record_created(actor, lot)
        except IntegrityError:
            lot = Lot.objects.get(product_id=product_id, code=code)
    if expiry is not None and lot.expiry != expiry:
        raise ValidationFailed(
            details=[
                {
                    "field": "expiry",
                    "message": _("Lot %(lot)s already exists with another expiry date.") % {"lot": code},
                }
            ]
        )
    return lot


def check_lots(items: Iterable, company_id: int) -> None:
    """Every lot an item names (`item.lot_id`) is the company's lot of the item's product
    (`item.product_id`): one query for every item, none when no item names a lot."""
    items = [i for i in items if i.lot_id]
    if not items:
        return
    lots = dict(scoped(Lot, company_id).filter(pk__in={i.lot_id for i in items}).values_list("pk", "product_id"))
    if any(lots.get(i.lot_id) != i.product_id for i in items):
        raise ValidationFailed(details=[{"field": "lot_id", "message": _("Lot does not belong to the product.")}])
