"""Sales: channels, salespeople and orders with their lines.

An order's money is kept per line at the NF-e's scales: each line's gross is rounded, the order's
discount, freight, insurance and other costs are spread over the lines (`core.money.spread`), and the
header's totals are sums of the lines, so the note built from the order adds up line by line."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import MoneyField, PriceField, QuantityField, RateField
from retaguarda.sales.states import (
    ORDER_TRANSITIONS,
    QUOTE_TRANSITIONS,
    RETURN_TRANSITIONS,
    WAITING_STATES,
    OrderState,
    QuoteState,
    ReturnState,
)


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


class LineAmounts(models.Model):
    """A priced line of a quote or an order, at the NF-e's scales."""

    number = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price"))
    gross = MoneyField(_("gross"))
    line_discount = MoneyField(_("line discount"), default=0)
    # The line's share of the document's amounts (NF-e vDesc, vFrete, vSeg, vOutro).
    discount = MoneyField(_("discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other = MoneyField(_("other costs"), default=0)
    total = MoneyField(_("total"))

    class Meta:
        abstract = True


class Quote(CompanyScoped, Versioned):
    """An orçamento: priced like an order, valid until a date, printed as a PDF, turned into an order
    in one action."""

    TRANSITIONS = QUOTE_TRANSITIONS

    number = models.PositiveBigIntegerField(_("number"))
    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel"))
    customer = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    salesperson = models.ForeignKey(
        Salesperson, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("salesperson")
    )
    state = models.CharField(_("state"), max_length=12, choices=QuoteState.choices, default=QuoteState.OPEN)
    quote_date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    payment_terms = models.CharField(_("payment terms"), max_length=60, blank=True)
    discount = MoneyField(_("order discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other_costs = MoneyField(_("other costs"), default=0)
    products_total = MoneyField(_("products"), default=0)
    discount_total = MoneyField(_("discounts"), default=0)
    total = MoneyField(_("total"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_quote_number_unique"),
            models.CheckConstraint(condition=Q(valid_until__gte=F("quote_date")), name="sales_quote_validity"),
        ]
        indexes = [models.Index(fields=["company", "state", "id"], name="sales_quote_state_idx")]

    def __str__(self):
        return _("Quote %(number)s") % {"number": self.number}


class QuoteLine(LineAmounts):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "number"], name="sales_quoteline_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_quoteline_quantity_positive"),
        ]


class SalesOrder(CompanyScoped, Versioned):
    TRANSITIONS = ORDER_TRANSITIONS
    SOURCE_TYPE = "sales.order"

    # No index of its own: the number's unique constraint and the indexes below lead with it (one index
    # write fewer per order).
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, verbose_name=_("company"), db_index=False
    )
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
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    quote = models.OneToOneField(
        Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="order", verbose_name=_("quote")
    )
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
    def is_late(self) -> bool:
        """Promised, not shipped, and past the promised ship date (what `?late=1` lists)."""
        return (
            self.state in WAITING_STATES
            and self.promised_ship_date is not None
            and self.promised_ship_date < timezone.localdate()
        )

    @property
    def installment_days(self) -> list[int]:
        """The payment terms as days after the invoice: "30/60/90" -> [30, 60, 90]; none is cash (0)."""
        days = [int(part) for part in self.payment_terms.split("/") if part.strip().isdigit()]
        return days or [0]


class SalesOrderLine(LineAmounts):
    # No index of its own: the unique (order, number) leads with it (one index write fewer per line).
    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"), db_index=False
    )

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


class ReturnDestination(models.TextChoices):
    STOCK = "stock", _("Back to stock")
    SCRAP = "scrap", _("Scrap (damaged)")


class SalesReturn(CompanyScoped, Versioned):
    """A devolução: chosen lines and quantities of an invoiced order come back under a return NF-e
    (referencing the original key); the goods go back to stock (or to scrap) and the customer is
    credited through finance."""

    TRANSITIONS = RETURN_TRANSITIONS
    SOURCE_TYPE = "sales.return"

    number = models.PositiveBigIntegerField(_("number"))
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=_("order"))
    state = models.CharField(_("state"), max_length=12, choices=ReturnState.choices, default=ReturnState.INVOICING)
    destination = models.CharField(
        _("destination"), max_length=8, choices=ReturnDestination.choices, default=ReturnDestination.STOCK
    )
    reason = models.CharField(_("reason"), max_length=200)
    total = MoneyField(_("total"), default=0)
    cost = MoneyField(_("cost"), default=0)
    refund = models.ForeignKey(
        "finance.Title", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("refund due")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="sales_return_number_unique")]

    def __str__(self):
        return _("Return %(number)s") % {"number": self.number}


class SalesReturnLine(models.Model):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="returned")
    quantity = QuantityField(_("quantity"))
    # The returned share of the order line's values, as the return note carries them.
    gross = MoneyField(_("gross"))
    discount = MoneyField(_("discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other = MoneyField(_("other costs"), default=0)
    total = MoneyField(_("total"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sales_return", "order_line"], name="sales_returnline_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_returnline_quantity_positive"),
        ]


class CommissionBasis(models.TextChoices):
    INVOICED = "invoiced", _("Invoiced orders")
    PAID = "paid", _("Paid receivables")


class SalesSettings(models.Model):
    company = models.OneToOneField(
        "companies.Company", on_delete=models.CASCADE, related_name="sales_settings", verbose_name=_("company")
    )
    commission_basis = models.CharField(
        _("commissions are due on"), max_length=10, choices=CommissionBasis.choices, default=CommissionBasis.INVOICED
    )

    class Meta:
        verbose_name = _("sales settings")


class CommissionRule(CompanyScoped):
    """A salesperson's rate, for every product or for one category (the category's rule wins); above
    `discount_band` percent of discount on a line, `reduced_rate` applies instead."""

    salesperson = models.ForeignKey(
        Salesperson, on_delete=models.CASCADE, related_name="commission_rules", verbose_name=_("salesperson")
    )
    category = models.CharField(_("product category"), max_length=60, blank=True)
    rate = RateField(_("rate (%)"))
    discount_band = RateField(_("above this discount (%)"), null=True, blank=True)
    reduced_rate = RateField(_("reduced rate (%)"), null=True, blank=True)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["salesperson", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["salesperson", "category"], name="sales_commissionrule_unique"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100)
                & (Q(reduced_rate__isnull=True) | Q(reduced_rate__gte=0, reduced_rate__lte=100)),
                name="sales_commissionrule_rates",
            ),
        ]


class GoalMetric(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    ORDERS = "orders", _("Orders")
    MARGIN = "margin", _("Margin")


class SalesGoal(CompanyScoped):
    """A month's target for a salesperson, a channel, or the whole company (neither set)."""

    month = models.DateField(_("month"))  # the first day
    salesperson = models.ForeignKey(
        Salesperson,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("salesperson"),
    )
    channel = models.ForeignKey(
        SalesChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="goals", verbose_name=_("channel")
    )
    metric = models.CharField(_("metric"), max_length=10, choices=GoalMetric.choices)
    target = MoneyField(_("target"))

    class Meta:
        verbose_name = _("sales goal")
        verbose_name_plural = _("sales goals")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="sales_goal_target_positive"),
            models.CheckConstraint(
                condition=Q(salesperson__isnull=True) | Q(channel__isnull=True), name="sales_goal_one_scope"
            ),
        ]
