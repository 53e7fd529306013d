"""Warehouses and their locations: each warehouse has a stock and an inbound transit location; the
company has one location of each virtual kind (supplier, customer, adjustment, scrap)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.inventory.errors import NegativeStockExists
from retaguarda.inventory.models import VIRTUAL_KINDS, Location, LocationKind, StockBalance, Warehouse


def virtual_location(company_id: int, kind: str) -> Location:
    """The company's location of a virtual kind (supplier, customer, adjustment, scrap), created once."""
    if kind not in VIRTUAL_KINDS:
        raise ValueError(kind)
    location = Location.objects.filter(company_id=company_id, kind=kind, warehouse__isnull=True).first()
    if location is not None:
        return location
    try:
        with transaction.atomic():
            return Location.objects.create(company_id=company_id, kind=kind, name=str(LocationKind(kind).label))
    except IntegrityError:
        return Location.objects.get(company_id=company_id, kind=kind, warehouse__isnull=True)


def _warehouse_location(warehouse: Warehouse | int, kind: str) -> Location:
    warehouse_id = warehouse.pk if isinstance(warehouse, Warehouse) else warehouse
    return Location.objects.get(warehouse_id=warehouse_id, kind=kind)


def stock_location(warehouse: Warehouse | int) -> Location:
    return _warehouse_location(warehouse, LocationKind.INTERNAL)


def transit_location(warehouse: Warehouse | int) -> Location:
    return _warehouse_location(warehouse, LocationKind.TRANSIT)


def _validate_warehouse(company_id: int, code: str, name: str, exclude_pk: int | None = None) -> None:
    problems = Problems()
    if not code.strip():
        problems.add("code", _("This field is required."))
    if not name.strip():
        problems.add("name", _("This field is required."))
    taken = Warehouse.objects.filter(company_id=company_id, code=code.strip()).exclude(pk=exclude_pk)
    if code.strip() and taken.exists():
        problems.add("code", _("Another warehouse already uses this code."))
    problems.raise_if_any()


def create_warehouse(*, actor: Actor, company_id: int, code: str, name: str, allow_negative: bool = False) -> Warehouse:
    """A warehouse with its stock location and its inbound transit location."""
    with transaction.atomic():
        _validate_warehouse(company_id, code, name)
        warehouse = Warehouse.objects.create(
            company_id=company_id, code=code.strip().upper(), name=name.strip(), allow_negative=allow_negative
        )
        Location.objects.create(
            company_id=company_id, warehouse=warehouse, kind=LocationKind.INTERNAL, name=warehouse.name
        )
        Location.objects.create(
            company_id=company_id,
            warehouse=warehouse,
            kind=LocationKind.TRANSIT,
            name=_("In transit to %(warehouse)s") % {"warehouse": warehouse.name},
        )
        for kind in VIRTUAL_KINDS:
            virtual_location(company_id, kind)
        audit.record_created(actor, warehouse)
    return warehouse


def update_warehouse(warehouse_id: int, *, actor: Actor, version: int | None, **fields) -> Warehouse:
    allowed = {"code", "name", "allow_negative", "is_active"}
    with transaction.atomic():
        warehouse = lock_for_edit(scoped(Warehouse, actor), warehouse_id, version)
        before = audit.snapshot(warehouse)
        for name, value in fields.items():
            if name in allowed and value is not None:
                setattr(warehouse, name, value.strip() if isinstance(value, str) else value)
        warehouse.code = warehouse.code.upper()
        _validate_warehouse(warehouse.company_id, warehouse.code, warehouse.name, exclude_pk=warehouse.pk)
        warehouse.version += 1
        warehouse.save()
        stock = stock_location(warehouse)
        if before["allow_negative"] != warehouse.allow_negative:
            # The balance rows carry the flag for the database CHECK: forbid only when nothing is below zero.
            if (
                not warehouse.allow_negative
                and StockBalance.objects.filter(location=stock, on_hand__lt=F("reserved")).exists()
            ):
                raise NegativeStockExists()
            StockBalance.objects.filter(location=stock).update(allow_negative=warehouse.allow_negative)
        Location.objects.filter(pk=stock.pk).update(name=warehouse.name)
        audit.record_changed(actor, warehouse, before)
    return warehouse
