"""Catalog reads shared by the API, the pages and the exports."""

import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from retaguarda.catalog.models import KitComponent, PriceList, PriceListItem, Product
from retaguarda.core.errors import NotFound
from retaguarda.core.money import amount
from retaguarda.core.scope import scoped
from retaguarda.core.validators import only_digits


def products(
    *,
    company_id: int,
    q: str = "",
    sku: str = "",
    gtin: str = "",
    ncm: str = "",
    active: bool | None = None,
    product_type: str = "",
    category: str = "",
    include_variants: bool | None = None,
) -> QuerySet[Product]:
    """Products of a company. Variations stay under their parent unless a search could name one."""
    qs = scoped(Product, company_id).select_related("parent")
    searching = bool(q or sku or gtin)
    if include_variants is None:
        include_variants = searching
    if not include_variants:
        qs = qs.filter(parent__isnull=True)
    if q:
        for word in q.split():
            qs = qs.filter(Q(name__icontains=word) | Q(sku__icontains=word) | Q(gtin=word))
    if sku:
        qs = qs.filter(sku__iexact=sku.strip())
    if gtin:
        qs = qs.filter(gtin=gtin.strip())
    if ncm:
        qs = qs.filter(ncm__code__startswith=only_digits(ncm))
    if active is not None:
        qs = qs.filter(is_active=active)
    if product_type:
        qs = qs.filter(product_type=product_type)
    if category:
        qs = qs.filter(category__iexact=category.strip())
    return qs.annotate(variant_count=Count("variants", distinct=True))


def product_detail_queryset(company_id: int) -> QuerySet[Product]:
    qs = (
        scoped(Product, company_id)
        .select_related("ncm", "cest", "parent")
        .prefetch_related(
            Prefetch("variants", queryset=Product.objects.order_by("id")),
            Prefetch("components", queryset=KitComponent.objects.select_related("component").order_by("id")),
        )
    )
    return qs


def product(product_id: int, *, company_id: int) -> Product:
    try:
        return product_detail_queryset(company_id).get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise NotFound() from exc


def categories(company_id: int) -> list[str]:
    qs = scoped(Product, company_id).exclude(category="")
    return list(qs.order_by("category").values_list("category", flat=True).distinct())


def price_lists(*, company_id: int, q: str = "", active: bool | None = None) -> QuerySet[PriceList]:
    qs = scoped(PriceList, company_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(channel__icontains=q) | Q(customer_group__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.annotate(item_count=Count("items"))


def price_list(price_list_id: int, *, company_id: int) -> PriceList:
    qs = scoped(PriceList, company_id).prefetch_related(
        Prefetch("items", queryset=PriceListItem.objects.select_related("product").order_by("product__name", "id"))
    )
    try:
        return qs.get(pk=price_list_id)
    except PriceList.DoesNotExist as exc:
        raise NotFound() from exc


def item_price(item: PriceListItem, base: Decimal) -> Decimal:
    if item.fixed_price is not None:
        return amount(item.fixed_price)
    return amount(base * (Decimal(100) + item.percentage) / Decimal(100))


def price_for(product: Product, price_list: PriceList | None, day: datetime.date | None = None) -> Decimal:
    """The sale price of `product` in `price_list` on `day`, in cents.

    The list's item for the product wins; a variation without its own item takes its parent's
    (a percentage then applies to the variation's own base price). Outside the list's dates, when
    the list is inactive, or without an item, the product's base price applies.
    """
    base = product.price
    day = day or timezone.localdate()
    if price_list is None or not price_list.is_valid_on(day):
        return amount(base)
    candidates = [product.pk] + ([product.parent_id] if product.parent_id else [])
    items = {i.product_id: i for i in PriceListItem.objects.filter(price_list=price_list, product_id__in=candidates)}
    item = items.get(product.pk) or items.get(product.parent_id)
    return amount(base) if item is None else item_price(item, base)


def prices_of(product: Product, day: datetime.date | None = None) -> list[dict]:
    """Every price list that prices this product (or its parent), with the price on `day`."""
    day = day or timezone.localdate()
    ids = [product.pk] + ([product.parent_id] if product.parent_id else [])
    items = (
        PriceListItem.objects.filter(product_id__in=ids, price_list__company_id=product.company_id)
        .select_related("price_list")
        .order_by("price_list__name", "price_list_id", "-product_id")
    )
    result, seen = [], set()
    for item in items:
        if item.price_list_id in seen:
            continue
        seen.add(item.price_list_id)
        result.append(
            {
                "price_list": item.price_list,
                "item": item,
                "price": item_price(item, product.price),
                "valid": item.price_list.is_valid_on(day),
            }
        )
    return result
