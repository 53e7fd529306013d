"""Inventory template helpers: the product page's stock panel, a typed line's cells."""

from django import template

from retaguarda.core.money import ZERO
from retaguarda.inventory import selectors

register = template.Library()


@register.simple_tag
def product_stock_panel(product):
    return selectors.product_stock(product)


@register.simple_tag(takes_context=True)
def with_available(context, products):
    """`{% with_available rows as rows %}`: each product of a list page gets `available` (its variants'
    total for a product with variations), in two queries for the whole page."""
    rows = list(products)
    request = context.get("request")
    company = getattr(request, "company", None)
    found = selectors.available_by_product(company.pk, rows) if company and rows else {}
    for product in rows:
        product.available = found.get(product.pk, ZERO)
    return rows


@register.filter
def cell(mapping, key):
    """`line.values|cell:"quantity"`: one cell of a typed line (a dict looked up by a variable key)."""
    return (mapping or {}).get(key)
