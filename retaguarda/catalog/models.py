from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import CostField, PriceField, QuantityField, RateField


class ProductType(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    KIT = "kit", _("Kit")


class GoodsOrigin(models.IntegerChoices):
    """ICMS origin of goods (NF-e `orig`, Tabela A)."""

    NATIONAL = 0, _("0 - National")
    FOREIGN_DIRECT = 1, _("1 - Foreign, direct import")
    FOREIGN_DOMESTIC = 2, _("2 - Foreign, bought in the domestic market")
    NATIONAL_40 = 3, _("3 - National, import content above 40%")
    NATIONAL_PPB = 4, _("4 - National, basic production processes")
    NATIONAL_UNDER_40 = 5, _("5 - National, import content up to 40%")
    FOREIGN_DIRECT_NO_SIMILAR = 6, _("6 - Foreign, direct import, no national similar")
    FOREIGN_DOMESTIC_NO_SIMILAR = 7, _("7 - Foreign, domestic market, no national similar")
    NATIONAL_70 = 8, _("8 - National, import content above 70%")


class Product(CompanyScoped, Versioned):
    """A product, a variant of a parent product, a service, or a kit.

    Variations: the parent (`is_variant_parent`) holds the attributes; each child (`parent` set)
    is one combination with its own SKU, GTIN, price and stock. Only children and plain products
    are stocked; parents and kits never have stock of their own.
    """

    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    product_type = models.CharField(_("type"), max_length=10, choices=ProductType.choices, default=ProductType.GOODS)
    gtin = models.CharField(_("GTIN"), max_length=14, default="SEM GTIN")
    ncm = models.ForeignKey("br_tables.Ncm", on_delete=models.PROTECT, related_name="+", verbose_name=_("NCM"))
    cest = models.ForeignKey(
        "br_tables.Cest", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("CEST")
    )
    origin = models.PositiveSmallIntegerField(_("origin"), choices=GoodsOrigin.choices, default=GoodsOrigin.NATIONAL)
    unit = models.CharField(_("commercial unit"), max_length=6, default="UN")
    tax_unit = models.CharField(_("tax unit"), max_length=6, default="UN")
    purchase_unit = models.CharField(_("purchase unit"), max_length=6, default="UN")
    purchase_factor = QuantityField(_("units per purchase unit"), default=1)
    gross_weight = QuantityField(_("gross weight (kg)"), default=0)
    net_weight = QuantityField(_("net weight (kg)"), default=0)
    height_cm = QuantityField(_("height (cm)"), default=0)
    width_cm = QuantityField(_("width (cm)"), default=0)
    length_cm = QuantityField(_("length (cm)"), default=0)
    cost = CostField(_("cost"), default=0)
    price = PriceField(_("sale price"), default=0)
    minimum_stock = QuantityField(_("minimum stock"), default=0)
    maximum_stock = QuantityField(_("maximum stock"), default=0)
    category = models.CharField(_("category"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Variations
    is_variant_parent = models.BooleanField(_("has variations"), default=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
        verbose_name=_("parent product"),
    )
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True
    )  # parent: {"Size": ["P","M"]}; child: {"Size": "P"}

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="catalog_product_sku_unique"),
            models.CheckConstraint(condition=Q(origin__gte=0, origin__lte=8), name="catalog_product_origin_range"),
            models.CheckConstraint(condition=Q(price__gte=0) & Q(cost__gte=0), name="catalog_product_non_negative"),
        ]
        indexes = [models.Index(fields=["company", "name", "id"]), models.Index(fields=["company", "gtin"])]

    def __str__(self):
        return f"{self.sku} - {self.name}"

    @property
    def is_stocked(self) -> bool:
        """Only plain goods and variant children hold stock; kits move their components."""
        return self.product_type == ProductType.GOODS and not self.is_variant_parent


class KitComponent(models.Model):
    kit = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components", verbose_name=_("kit"))
    component = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="used_in_kits", verbose_name=_("component")
    )
    quantity = QuantityField(_("quantity"))

    class Meta:
        verbose_name = _("kit component")
        verbose_name_plural = _("kit components")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "component"], name="catalog_kit_component_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="catalog_kit_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.component}"


class PriceList(CompanyScoped, Versioned):
    """A price list for a sales channel or a customer group, valid between two dates (both optional).

    Each item gives a product either a fixed price or a percentage over (or, negative, under) its
    base sale price. `selectors.price_for` answers the price of a product in a list on a date.
    """

    name = models.CharField(_("name"), max_length=80)
    channel = models.CharField(_("sales channel"), max_length=60, blank=True)
    customer_group = models.CharField(_("customer group"), max_length=60, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="catalog_pricelist_name_unique"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="catalog_pricelist_dates_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def is_valid_on(self, day) -> bool:
        return (
            self.is_active
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="price_list_items", verbose_name=_("product")
    )
    fixed_price = PriceField(_("fixed price"), null=True, blank=True)
    percentage = RateField(_("percentage over the base price"), null=True, blank=True)

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="catalog_pricelistitem_unique"),
            models.CheckConstraint(
                condition=(Q(fixed_price__isnull=False, percentage__isnull=True, fixed_price__gte=0))
                | (Q(fixed_price__isnull=True, percentage__isnull=False, percentage__gt=-100)),
                name="catalog_pricelistitem_one_rule",
            ),
        ]

    def __str__(self):
        return f"{self.price_list}: {self.product}"
