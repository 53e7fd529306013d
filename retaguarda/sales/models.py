"""Sales: channels, salespeople and orders with their lines.

An order's money is kept per line at the NF-e's scales: each line's gross is rounded, the order's
discount, freight, insurance and other costs are spread over the lines (`core.money.spread`), and the
header's totals are sums of the lines, so the note built from the order adds up line by line."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import MoneyField, PriceField, QuantityField, RateField
from retaguarda.sales.states import ORDER_TRANSITIONS, OrderState


class ChannelKind(models.TextChoices):
    SHOP = "shop", _("Physical shop")
    ONLINE_STORE = "online_store", _("Online store")
    MARKETPLACE = "marketplace", _("Marketplace")
    PHONE = "phone", _("Phone / WhatsApp")


class SalesChannel(CompanyScoped, Versioned):
    """Where orders come from; its price list and warehouse are every new order's defaults, its fees
    (a percentage of the order plus a fixed amount per order) count against the margin."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    price_list = models.ForeignKey(
        "catalog.PriceList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("price list"),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("default warehouse")
    )
    fee_percent = RateField(_("fee (%)"), default=0)
    fee_fixed = MoneyField(_("fixed fee per order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="sales_channel_code_unique"),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0, fee_percent__lt=100, fee_fixed__gte=0), name="sales_channel_fees"
            ),
        ]

    def __str__(self):
        return f"{self.code} - {self.name}"


class Salesperson(CompanyScoped, Versioned):
    name = models.CharField(_("name"), max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("salesperson")
        verbose_name_plural = _("salespeople")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="sales_salesperson_name_unique")]

    def __str__(self):
        return self.name


class SalesOrder(CompanyScoped, Versioned):
    TRANSITIONS = ORDER_TRANSITIONS
    SOURCE_TYPE = "sales.order"

    number = models.PositiveBigIntegerField(_("number"))
    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="orders", verbose_name=_("channel")
    )
    external_id = models.CharField(_("channel order id"), max_length=80, blank=True)
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    salesperson = models.ForeignKey(
        Salesperson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("salesperson"),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    state = models.CharField(_("state"), max_length=12, choices=OrderState.choices, default=OrderState.DRAFT)
    order_date = models.DateField(_("order date"))
    promised_ship_date = models.DateField(_("promised ship date"), null=True, blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=60, blank=True, help_text=_("Days to each installment, e.g. 30/60/90.")
    )
    # What was asked for the whole order, spread over the lines.
    discount = MoneyField(_("order discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other_costs = MoneyField(_("other costs"), default=0)
    # Sums of the lines.
    products_total = MoneyField(_("products"), default=0)
    discount_total = MoneyField(_("discounts"), default=0)
    total = MoneyField(_("total"), default=0)
    delivery_address = models.JSONField(_("delivery address"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_code = models.CharField(_("tracking code"), max_length=80, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    receivable = models.ForeignKey(
        "finance.Title", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("receivable")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_order_number_unique"),
            # A channel's order is taken once, however often the channel sends it.
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="sales_order_external_unique"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0, freight__gte=0, insurance__gte=0, other_costs__gte=0, total__gte=0),
                name="sales_order_amounts_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "id"], name="sales_order_state_idx"),
            models.Index(fields=["company", "order_date", "id"], name="sales_order_date_idx"),
            models.Index(fields=["company", "customer", "id"], name="sales_order_customer_idx"),
        ]

    def __str__(self):
        return _("Order %(number)s") % {"number": self.number}

    @property
    def installment_days(self) -> list[int]:
        """The payment terms as days after the invoice: "30/60/90" -> [30, 60, 90]; none is cash (0)."""
        days = [int(part) for part in self.payment_terms.split("/") if part.strip().isdigit()]
        return days or [0]


class SalesOrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    number = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price"))
    gross = MoneyField(_("gross"))
    line_discount = MoneyField(_("line discount"), default=0)
    # The line's share of the order's amounts (NF-e vDesc, vFrete, vSeg, vOutro).
    discount = MoneyField(_("discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other = MoneyField(_("other costs"), default=0)
    total = MoneyField(_("total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="sales_orderline_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_orderline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, line_discount__gte=0, discount__gte=0, total__gte=0),
                name="sales_orderline_amounts_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.number}: {self.quantity} x {self.product_id}"
