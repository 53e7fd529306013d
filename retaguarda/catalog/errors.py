"""Catalog errors, with stable codes."""

from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError, ValidationFailed


class InvalidProduct(ValidationFailed):
    code = "catalog.invalid_product"
    default_message = _("The product has invalid data.")


class DuplicateSku(ValidationFailed):
    code = "catalog.duplicate_sku"
    default_message = _("Another product already uses this SKU.")


class InvalidKit(ValidationFailed):
    code = "catalog.invalid_kit"
    default_message = _("The kit composition is invalid.")


class InvalidVariation(ValidationFailed):
    code = "catalog.invalid_variation"
    default_message = _("The variations are invalid.")


class InvalidPriceList(ValidationFailed):
    code = "catalog.invalid_price_list"
    default_message = _("The price list has invalid data.")


class ProductInUse(DomainError):
    code = "catalog.product_in_use"
    status = 409
    default_message = _("The product is in use and cannot be changed this way.")
