"""Price lists: a fixed price or a percentage over the base price per product, for a channel, a
customer group or a period."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.errors import InvalidPriceList
from retaguarda.catalog.models import PriceList, PriceListItem, Product
from retaguarda.catalog.services.product_data import unknown_fields
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimals import read_decimal
from retaguarda.core.money import PRICE_PLACES, RATE_PLACES
from retaguarda.core.problems import Problems
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.versioning import lock_for_edit

PRICE_LIST_FIELDS = ["name", "channel", "customer_group", "valid_from", "valid_until", "is_active", "notes"]


def _price_list_problems(price_list: PriceList) -> Problems:
    problems = Problems()
    if not (price_list.name or "").strip():
        problems.add("name", _("Required field."))
    elif len(price_list.name) > 80:
        problems.add("name", _("At most %(limit)d characters.") % {"limit": 80})
    for key in ("channel", "customer_group"):
        if len(getattr(price_list, key) or "") > 60:
            problems.add(key, _("At most %(limit)d characters.") % {"limit": 60})
    if price_list.valid_from and price_list.valid_until and price_list.valid_from > price_list.valid_until:
        problems.add("valid_until", _("The end date comes before the start date."))
    duplicate = PriceList.objects.filter(company_id=price_list.company_id, name=(price_list.name or "").strip())
    if price_list.pk:
        duplicate = duplicate.exclude(pk=price_list.pk)
    if price_list.name and duplicate.exists():
        problems.add("name", _("Another price list already has this name."))
    return problems


def _number(value, places: int, field: str, problems: Problems) -> Decimal | None:
    """An item's price or percentage through the one reader (None when not given)."""
    if value in (None, ""):
        return None
    try:
        return read_decimal(value, places=places, typed=True)
    except ValueError as exc:
        problems.add(field, str(exc))
        return None


def _resolve_items(company_id: int, items: list[dict]) -> tuple[list[PriceListItem], list]:
    problems = Problems()
    refs = [i.get("product_id") or i.get("sku") for i in items]
    products = Product.objects.filter(company_id=company_id)
    found = {p.pk: p for p in products.filter(pk__in=[r for r in refs if isinstance(r, int)])}
    found_sku = {p.sku: p for p in products.filter(sku__in=[r for r in refs if isinstance(r, str)])}
    result, seen = [], set()
    for i, (item, ref) in enumerate(zip(items, refs, strict=True)):
        prefix = f"items.{i}."
        product = found.get(ref) if isinstance(ref, int) else found_sku.get(ref)
        if product is None:
            note = problems.missing if isinstance(ref, int) else problems.add  # an id, or a SKU typed
            note(prefix + "product_id", _("Product %(ref)s not found.") % {"ref": ref})
        elif product.pk in seen:
            problems.add(prefix + "product_id", _("%(product)s appears twice.") % {"product": product})
        found_before = len(problems.items)
        fixed = _number(item.get("fixed_price"), PRICE_PLACES, prefix + "fixed_price", problems)
        percentage = _number(item.get("percentage"), RATE_PLACES, prefix + "percentage", problems)
        read = len(problems.items) == found_before  # a number that could not be read is reported as such
        if read and (fixed is None) == (percentage is None):
            problems.add(prefix + "fixed_price", _("Give either a fixed price or a percentage, not both."))
        elif read and fixed is not None and (fixed < 0 or fixed >= Decimal(10) ** 12):
            problems.add(prefix + "fixed_price", _("Cannot be negative.") if fixed < 0 else _("Value too large."))
        elif read and percentage is not None and not (Decimal(-100) < percentage < Decimal(10000)):
            problems.add(prefix + "percentage", _("The percentage must be above -100 and below 10000."))
        if product is not None:
            seen.add(product.pk)
            result.append(PriceListItem(product=product, fixed_price=fixed, percentage=percentage))
    return result, problems


def _items_repr(price_list: PriceList) -> list[str]:
    return [
        f"{i.product.sku}: {'R$ ' + str(i.fixed_price) if i.fixed_price is not None else str(i.percentage) + '%'}"
        for i in price_list.items.select_related("product").order_by("id")
    ]


def _save_items(price_list: PriceList, items: list[PriceListItem]) -> None:
    for item in items:
        item.price_list = price_list
    PriceListItem.objects.bulk_create(items)


def create_price_list(*, actor: Actor, items: list[dict] | None = None, **fields) -> PriceList:
    company_id = company_id_of(actor)
    problems = unknown_fields(fields, PRICE_LIST_FIELDS)
    with transaction.atomic():
        price_list = PriceList(company_id=company_id, **{k: v for k, v in fields.items() if k in PRICE_LIST_FIELDS})
        price_list.name = (price_list.name or "").strip()
        problems.extend(_price_list_problems(price_list))
        resolved, item_problems = _resolve_items(company_id, items or [])
        problems.extend(item_problems)
        problems.raise_if_any(InvalidPriceList)
        price_list.save()
        _save_items(price_list, resolved)
        changes = {k: [None, v] for k, v in audit.snapshot(price_list).items() if v not in (None, "")}
        if resolved:
            changes["items"] = [None, _items_repr(price_list)]
        audit.record(actor, price_list, "created", changes)
    return price_list


def update_price_list(
    price_list_id: int, *, actor: Actor, version: int | None, items: list[dict] | None = None, **changes
) -> PriceList:
    """Change the list's fields; `items`, when given, replaces every item."""
    problems = unknown_fields(changes, PRICE_LIST_FIELDS)
    with transaction.atomic():
        price_list = lock_for_edit(scoped(PriceList, actor), price_list_id, version)
        before = audit.snapshot(price_list)
        for key, value in changes.items():
            if key in PRICE_LIST_FIELDS:
                setattr(price_list, key, value.strip() if isinstance(value, str) else value)
        problems.extend(_price_list_problems(price_list))
        resolved = []
        if items is not None:
            resolved, item_problems = _resolve_items(price_list.company_id, items)
            problems.extend(item_problems)
        problems.raise_if_any(InvalidPriceList)
        price_list.version += 1
        price_list.save()
        change_set = audit.diff(before, audit.snapshot(price_list, list(before)))
        change_set.pop("version", None)
        if items is not None:
            old_items = _items_repr(price_list)
            price_list.items.all().delete()
            _save_items(price_list, resolved)
            new_items = _items_repr(price_list)
            if old_items != new_items:
                change_set["items"] = [old_items, new_items]
        if change_set:
            audit.record(actor, price_list, "updated", change_set)
    return price_list


def deactivate_price_list(price_list_id: int, *, actor: Actor, version: int | None = None) -> PriceList:
    return update_price_list(price_list_id, actor=actor, version=version, is_active=False)
