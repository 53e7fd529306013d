"""Lots are named by their code within a product; receipts and manual entries create them on first use."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.models import AuditRecord
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


def lots_for(*, actor: Actor, wanted: Iterable[tuple[int, str, date | None]]) -> dict[tuple[int, str], Lot]:
    """Many lots at once (a receipt of many lines), by (product id, code): found, or created with their
    expiry, in a fixed number of queries whatever their number. A lot that exists with another expiry
    date is refused, every such lot named."""
    expiries: dict[tuple[int, str], date | None] = {}
    for product_id, code, expiry in wanted:
        key = (product_id, code.strip())
        if not key[1]:
            raise ValidationFailed(details=[{"field": "lot", "message": _("This field is required.")}])
        expiries[key] = expiries.get(key) or expiry
    if not expiries:
        return {}
    product_ids = {p for p, _c in expiries}
    companies = dict(scoped(Product, actor).filter(pk__in=product_ids).values_list("pk", "company_id"))
    if len(companies) != len(product_ids):
        raise NotFound()

    def fetch() -> dict[tuple[int, str], Lot]:
        rows = Lot.objects.filter(product_id__in=product_ids, code__in={c for _p, c in expiries})
        return {(lot.product_id, lot.code): lot for lot in rows if (lot.product_id, lot.code) in expiries}

    found = fetch()
    missing = [key for key in expiries if key not in found]
    if missing:
        Lot.objects.bulk_create(
            [Lot(company_id=companies[p], product_id=p, code=c, expiry=expiries[(p, c)]) for p, c in missing],
            ignore_conflicts=True,  # a concurrent receipt may create the same lot
        )
        found = fetch()
        created = [found[key] for key in missing]
        AuditRecord.objects.bulk_create(
            [
                audit.build(actor, lot, "created", {"code": [None, lot.code], "expiry": [None, lot.expiry]})
                for lot in created
            ]
        )
    clashes = [lot for key, lot in found.items() if expiries[key] is not None and lot.expiry != expiries[key]]
    if clashes:
        raise ValidationFailed(
            details=[
                {
                    "field": "expiry",
                    "message": _("Lot %(lot)s already exists with another expiry date.") % {"lot": lot.code},
                }
                for lot in clashes
            ]
        )
    return found
