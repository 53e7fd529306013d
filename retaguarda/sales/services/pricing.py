"""Prices of many products in a channel's price list, in one query (catalog's rule, batched)."""

from datetime import date
from decimal import Decimal

from retaguarda.catalog.models import PriceList, PriceListItem, Product
from retaguarda.catalog.selectors import item_price
from retaguarda.core.money import amount


def list_prices(products: list[Product], price_list: PriceList | None, day: date) -> dict[int, Decimal]:
    """Each product's price on `day`: its item in the list, else its parent's, else its base price."""
    if price_list is None or not price_list.is_valid_on(day):
        return {p.pk: amount(p.price) for p in products}
    ids = {p.pk for p in products} | {p.parent_id for p in products if p.parent_id}
    items = {i.product_id: i for i in PriceListItem.objects.filter(price_list=price_list, product_id__in=ids)}
    prices = {}
    for p in products:
        item = items.get(p.pk) or items.get(p.parent_id)
        prices[p.pk] = amount(p.price) if item is None else item_price(item, p.price)
    return prices
