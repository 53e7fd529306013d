"""Inventory template helpers: the product page's stock panel, a typed line's cells."""

from django import template

from retaguarda.inventory import selectors

register = template.Library()


@register.simple_tag
def product_stock_panel(product):
    return selectors.product_stock(product)


@register.filter
def cell(mapping, key):
    """`line.values|cell:"quantity"`: one cell of a typed line (a dict looked up by a variable key)."""
    return (mapping or {}).get(key)
