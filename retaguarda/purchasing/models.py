"""Purchase requests, purchase orders and receipts (entradas), with the supplier NF-e imported as an entry.

Quantities on order and receipt lines are in the purchase unit (a box); `factor` converts them to the
stock unit (12 units a box), frozen on the line when it is written. Money follows the NF-e scales:
line values 2 places, unit costs 10 (the XML's `vUnCom`), stock costs 6."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import CostField, MoneyField, PriceField, QuantityField
from retaguarda.purchasing.states import (
    ORDER_TRANSITIONS,
    RECEIPT_TRANSITIONS,
    REQUEST_TRANSITIONS,
    OrderState,
    ReceiptState,
    RequestState,
)


class PurchaseRequest(CompanyScoped, Versioned):
    """Solicitação de compra: someone in Estoque or Compras asks; Compras approves or rejects."""

    TRANSITIONS = REQUEST_TRANSITIONS

    number = models.PositiveBigIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING)
    reason = models.CharField(_("reason"), max_length=200)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="purchasing_request_number_unique")]
        indexes = [models.Index(fields=["company", "state", "id"])]

    def __str__(self):
        return _("Request %(number)s") % {"number": self.number}


class PurchaseRequestLine(models.Model):
    request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = QuantityField(_("quantity"))  # stock unit

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_requestline_positive")]


class CostLineFields(models.Model):
    """What an order line and a receipt line share: the product, the purchase unit and its costs."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = QuantityField(_("quantity"))  # purchase unit
    unit = models.CharField(_("unit"), max_length=6)
    factor = QuantityField(_("stock units per purchase unit"), default=1)
    unit_cost = PriceField(_("unit cost"))  # per purchase unit, before taxes
    discount = MoneyField(_("discount"), default=0)
    ipi = MoneyField(_("IPI"), default=0)
    icms_st = MoneyField(_("ICMS-ST"), default=0)

    class Meta:
        abstract = True


class PurchaseOrder(CompanyScoped, Versioned):
    """Pedido de compra: nothing happens to stock until a receipt takes goods from it."""

    TRANSITIONS = ORDER_TRANSITIONS
    SOURCE = "purchasing.order"

    number = models.PositiveBigIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=20, choices=OrderState.choices, default=OrderState.DRAFT)
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=60, blank=True)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other_expenses = MoneyField(_("other expenses"), default=0)
    # Header totals: sums of the rounded lines, written with them.
    goods_total = MoneyField(_("goods"), default=0)
    discount_total = MoneyField(_("discount"), default=0)
    ipi_total = MoneyField(_("IPI"), default=0)
    icms_st_total = MoneyField(_("ICMS-ST"), default=0)
    total = MoneyField(_("total"), default=0)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)  # set by the outbox handler

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchasing_order_number_unique"),
            models.CheckConstraint(
                condition=Q(freight__gte=0, insurance__gte=0, other_expenses__gte=0, total__gte=0),
                name="purchasing_order_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "id"]),
            models.Index(fields=["company", "supplier", "id"]),
        ]

    def __str__(self):
        return _("Purchase order %(number)s") % {"number": self.number}


class PurchaseOrderLine(CostLineFields):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    request_line = models.ForeignKey(
        PurchaseRequestLine, null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines"
    )
    received_quantity = QuantityField(_("received"), default=0)  # purchase unit; projection of posted receipts

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    quantity__gt=0, factor__gt=0, unit_cost__gte=0, discount__gte=0, ipi__gte=0, icms_st__gte=0
                ),
                name="purchasing_orderline_values",
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0, received_quantity__lte=models.F("quantity")),
                name="purchasing_orderline_received_range",
            ),
        ]

    @property
    def open_quantity(self):
        return self.quantity - self.received_quantity


class Receipt(CompanyScoped, Versioned):
    """Entrada: goods in from a supplier, against purchase orders or standalone. Posting it moves the
    stock in at landed cost and creates the payable."""

    TRANSITIONS = RECEIPT_TRANSITIONS
    SOURCE = "purchasing.receipt"

    number = models.PositiveBigIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=10, choices=ReceiptState.choices, default=ReceiptState.DRAFT)
    supplier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    issue_date = models.DateField(_("issue date"))  # the supplier's invoice date
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    nfe_key = models.CharField(_("NF-e access key"), max_length=44, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=60, blank=True)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other_expenses = MoneyField(_("other expenses"), default=0)
    goods_total = MoneyField(_("goods"), default=0)
    discount_total = MoneyField(_("discount"), default=0)
    ipi_total = MoneyField(_("IPI"), default=0)
    icms_st_total = MoneyField(_("ICMS-ST"), default=0)
    total = MoneyField(_("total"), default=0)  # what the supplier is paid
    cost_total = MoneyField(_("stock value"), default=0)  # total less the recoverable credits
    credits_total = MoneyField(_("tax credits"), default=0)
    title = models.ForeignKey(
        "finance.Title", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("payable")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchasing_receipt_number_unique"),
            # A supplier's NF-e enters once (cancelled drafts do not count).
            models.UniqueConstraint(
                fields=["company", "nfe_key"],
                condition=~Q(nfe_key="") & ~Q(state="cancelled"),
                name="purchasing_receipt_nfe_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0, insurance__gte=0, other_expenses__gte=0, total__gte=0),
                name="purchasing_receipt_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "id"]),
            models.Index(fields=["company", "supplier", "id"]),
        ]

    def __str__(self):
        return _("Receipt %(number)s") % {"number": self.number}

    @property
    def charges(self):
        return self.freight + self.insurance + self.other_expenses


class ReceiptLine(CostLineFields):
    """One item received. The shares of freight, insurance and other expenses are the header's values
    spread over the lines with `core.money.spread`; `landed_total` is the line's part of the invoice and
    `cost_value` what enters stock (landed less recoverable credits)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    lot_code = models.CharField(_("lot"), max_length=40, blank=True)
    lot_expiry = models.DateField(_("expiry date"), null=True, blank=True)
    goods_value = MoneyField(_("goods"), default=0)
    freight_share = MoneyField(_("freight"), default=0)
    insurance_share = MoneyField(_("insurance"), default=0)
    other_share = MoneyField(_("other expenses"), default=0)
    icms_credit = MoneyField(_("ICMS credit"), default=0)
    pis_credit = MoneyField(_("PIS credit"), default=0)
    cofins_credit = MoneyField(_("COFINS credit"), default=0)
    landed_total = MoneyField(_("landed total"), default=0)
    cost_value = MoneyField(_("stock value"), default=0)
    stock_quantity = QuantityField(_("stock quantity"), default=0)
    unit_stock_cost = CostField(_("unit cost in stock"), default=0)
    supplier_code = models.CharField(_("supplier code"), max_length=60, blank=True)
    cfop = models.CharField(_("CFOP"), max_length=4, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    quantity__gt=0, factor__gt=0, unit_cost__gte=0, discount__gte=0, ipi__gte=0, icms_st__gte=0
                ),
                name="purchasing_receiptline_values",
            ),
        ]

    @property
    def credits(self):
        return self.icms_credit + self.pis_credit + self.cofins_credit


class ReceiptLineLot(models.Model):
    """One lot of a receipt line (the NF-e's `rastro`: nLote, qLote, dFab, dVal) when the line holds
    several or came from a supplier's note; posting moves each lot in at the line's unit cost."""

    line = models.ForeignKey(ReceiptLine, on_delete=models.CASCADE, related_name="lots")
    code = models.CharField(_("lot"), max_length=40)
    quantity = QuantityField(_("quantity"))  # the line's unit
    stock_quantity = QuantityField(_("stock quantity"))
    manufactured = models.DateField(_("manufacturing date"), null=True, blank=True)
    expiry = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, stock_quantity__gt=0), name="purchasing_linelot_positive"
            )
        ]


class ReceiptInstallment(models.Model):
    """The receipt's installments (the NF-e `dup`, or the payment terms) until the payable carries them."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="installments")
    number = models.CharField(_("installment"), max_length=60, blank=True)
    due_date = models.DateField(_("due date"))
    amount = MoneyField(_("amount"))

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_installment_positive")]


class SupplierProduct(CompanyScoped):
    """The supplier's code for one of our products, remembered from orders and NF-e imports, with the
    unit and conversion the supplier bills in."""

    supplier = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    supplier_code = models.CharField(_("supplier code"), max_length=60)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    unit = models.CharField(_("unit"), max_length=6, blank=True)
    factor = QuantityField(_("stock units per purchase unit"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supplier", "supplier_code"], name="purchasing_supplierproduct_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="purchasing_supplierproduct_factor"),
        ]


class NfeImportState(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Entered")


class NfeImport(CompanyScoped):
    """A supplier NF-e XML uploaded for entry, kept immutably (the bytes as received) and, once
    confirmed, with the receipt it became. The access key enters once per company: uploading a key
    that is awaiting confirmation finds the same import."""

    access_key = models.CharField(_("NF-e access key"), max_length=44)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    xml = models.BinaryField(_("XML"))
    state = models.CharField(_("state"), max_length=10, choices=NfeImportState.choices, default=NfeImportState.PENDING)
    supplier_document = models.CharField(_("supplier CNPJ/CPF"), max_length=14)
    supplier_name = models.CharField(_("supplier"), max_length=120)
    invoice_number = models.CharField(_("invoice number"), max_length=20)
    issue_date = models.DateField(_("issue date"))
    total = MoneyField(_("total"))
    receipt = models.OneToOneField(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="nfe_import")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("NF-e import")
        verbose_name_plural = _("NF-e imports")
        constraints = [
            models.UniqueConstraint(fields=["company", "access_key"], name="purchasing_nfeimport_key_unique"),
            models.CheckConstraint(
                condition=Q(state="pending", receipt__isnull=True) | Q(state="confirmed", receipt__isnull=False),
                name="purchasing_nfeimport_state_receipt",
            ),
        ]
        indexes = [models.Index(fields=["company", "state", "id"])]

    def __str__(self):
        return _("NF-e %(number)s of %(supplier)s") % {"number": self.invoice_number, "supplier": self.supplier_name}


class CfopMapping(CompanyScoped):
    """The company's own entry CFOP for a supplier's exit CFOP, over the defaults in `nfe.cfop`
    (a company that buys 5102 for use and consumption enters it as 1556, not 1102)."""

    supplier_cfop = models.CharField(_("supplier's CFOP"), max_length=4)
    entry_cfop = models.CharField(_("entry CFOP"), max_length=4)

    class Meta:
        verbose_name = _("CFOP mapping")
        verbose_name_plural = _("CFOP mappings")
        ordering = ["supplier_cfop"]
        constraints = [
            models.UniqueConstraint(fields=["company", "supplier_cfop"], name="purchasing_cfopmapping_unique")
        ]

    def __str__(self):
        return f"{self.supplier_cfop} → {self.entry_cfop}"
