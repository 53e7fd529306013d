"""`{% product_stock_panel product as stock %}`: the data of the product page's stock panel."""

from django import template

from retaguarda.inventory import selectors

register = template.Library()


@register.simple_tag
def product_stock_panel(product):
    return selectors.product_stock(product)
