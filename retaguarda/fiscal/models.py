"""Fiscal settings, operations, tax rules, fiscal documents (NF-e 55, NFC-e 65) and the XML archive."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, TimeStamped, Versioned
from retaguarda.core.money import MoneyField, PriceField, QuantityField, RateField
from retaguarda.core.secrets import EncryptedBytesField, EncryptedTextField
from retaguarda.fiscal.states import DOCUMENT_TRANSITIONS, DocumentState
from retaguarda.fiscal.taxes.model import Recipient, Regime, Scope, Tax

MAX_ITEMS = 990  # NF-e det: nItem 1..990


class Environment(models.IntegerChoices):
    PRODUCTION = 1, _("Production")
    HOMOLOGATION = 2, _("Homologation (test)")


class DocumentModel(models.IntegerChoices):
    NFE = 55, _("NF-e (55)")
    NFCE = 65, _("NFC-e (65)")


class Direction(models.IntegerChoices):
    """NF-e tpNF."""

    INBOUND = 0, _("Inbound")
    OUTBOUND = 1, _("Outbound")


class Purpose(models.IntegerChoices):
    """NF-e finNFe."""

    NORMAL = 1, _("Normal")
    COMPLEMENTARY = 2, _("Complementary")
    ADJUSTMENT = 3, _("Adjustment")
    RETURN = 4, _("Return of goods")


class FiscalSettings(TimeStamped, Versioned):
    """A company's fiscal set-up: environment, series, NFC-e QR code, certificate details, defaults."""

    company = models.OneToOneField(
        "companies.Company", on_delete=models.PROTECT, related_name="fiscal_settings", verbose_name=_("company")
    )
    environment = models.PositiveSmallIntegerField(
        _("environment"), choices=Environment.choices, default=Environment.HOMOLOGATION
    )
    nfe_series = models.PositiveSmallIntegerField(_("NF-e series"), default=1)
    nfce_series = models.PositiveSmallIntegerField(_("NFC-e series"), default=1)
    nfce_qr_version = models.PositiveSmallIntegerField(
        _("NFC-e QR code version"), choices=[(2, "2"), (3, "3")], default=3
    )
    csc_id = models.CharField(_("CSC id (NFC-e QR code v2)"), max_length=6, blank=True)
    csc = EncryptedTextField(_("CSC (NFC-e QR code v2)"), blank=True, default="")
    uses_test_certificate = models.BooleanField(
        _("sign with a self-signed test certificate (homologação only)"), default=False
    )
    # The A1 certificate (PKCS#12) and its password, encrypted at rest; what the page shows is copied
    # beside them in clear (subject, CNPJ, dates, fingerprint), so reading it never decrypts anything.
    certificate_pfx = EncryptedBytesField(_("A1 certificate (PKCS#12)"), null=True, blank=True)
    certificate_password = EncryptedTextField(_("certificate password"), blank=True, default="")
    certificate_subject = models.CharField(_("certificate subject"), max_length=300, blank=True)
    certificate_cnpj = models.CharField(_("certificate CNPJ"), max_length=14, blank=True)
    certificate_not_before = models.DateTimeField(_("certificate valid from"), null=True, blank=True)
    certificate_not_after = models.DateTimeField(_("certificate valid until"), null=True, blank=True)
    certificate_fingerprint = models.CharField(_("certificate SHA-256 fingerprint"), max_length=64, blank=True)
    sefaz_url = models.CharField(
        _("SEFAZ address (blank: the state's official one)"),
        max_length=200,
        blank=True,
        help_text=_("The local fake SEFAZ of the demo and the tests, e.g. https://127.0.0.1:8350"),
    )
    # Contingency: NF-e go to the state's SVC (tpEmis 6/7), NFC-e are issued offline (tpEmis 9) and sent
    # when SEFAZ answers again. Switched by hand or after repeated failures (`sefaz_failures`).
    contingency = models.BooleanField(_("in contingency"), default=False)
    contingency_since = models.DateTimeField(_("in contingency since"), null=True, blank=True)
    contingency_reason = models.CharField(_("reason for the contingency"), max_length=256, blank=True)
    # Entered after failures in a row: ended by the worker once the state's service answers again.
    contingency_automatic = models.BooleanField(_("contingency entered automatically"), default=False)
    sefaz_failures = models.PositiveSmallIntegerField(_("SEFAZ failures in a row"), default=0)
    default_sale_operation = models.ForeignKey(
        "fiscal.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    default_return_operation = models.ForeignKey(
        "fiscal.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("fiscal settings")
        verbose_name_plural = _("fiscal settings")
        constraints = [
            models.CheckConstraint(condition=Q(environment__in=[1, 2]), name="fiscal_settings_environment"),
            models.CheckConstraint(
                condition=Q(nfe_series__lte=999) & Q(nfce_series__lte=999), name="fiscal_settings_series_range"
            ),
        ]

    def __str__(self):
        return str(self.company)


class Operation(CompanyScoped, Versioned):
    """A natureza da operação: what the note does, and the CFOP it takes for each destination."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("nature of the operation"), max_length=60)
    direction = models.PositiveSmallIntegerField(_("direction"), choices=Direction.choices, default=Direction.OUTBOUND)
    purpose = models.PositiveSmallIntegerField(_("purpose"), choices=Purpose.choices, default=Purpose.NORMAL)
    cfop_internal = models.CharField(_("CFOP within the state"), max_length=4)
    cfop_interstate = models.CharField(_("CFOP to another state"), max_length=4)
    cfop_foreign = models.CharField(_("CFOP abroad"), max_length=4, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fiscal operation")
        verbose_name_plural = _("fiscal operations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="fiscal_operation_code_unique"),
            models.CheckConstraint(condition=Q(direction__in=[0, 1]), name="fiscal_operation_direction"),
            models.CheckConstraint(condition=Q(purpose__in=[1, 2, 3, 4]), name="fiscal_operation_purpose"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_return(self) -> bool:
        return self.purpose == Purpose.RETURN

    def cfops(self) -> dict[str, str]:
        return {
            Scope.INTERNAL: self.cfop_internal,
            Scope.INTERSTATE: self.cfop_interstate,
            Scope.FOREIGN: self.cfop_foreign,
        }


TAX_CHOICES = [
    (Tax.ICMS, "ICMS"),
    (Tax.ICMS_SN, _("ICMS Simples Nacional")),
    (Tax.ICMS_ST, "ICMS-ST"),
    (Tax.FCP, "FCP"),
    (Tax.DIFAL, "DIFAL"),
    (Tax.IPI, "IPI"),
    (Tax.PIS, "PIS"),
    (Tax.COFINS, "COFINS"),
    (Tax.IBS_UF, _("IBS (state)")),
    (Tax.IBS_MUN, _("IBS (municipal)")),
    (Tax.CBS, "CBS"),
]
SCOPE_CHOICES = [
    (Scope.INTERNAL, _("Within the state")),
    (Scope.INTERSTATE, _("Interstate")),
    (Scope.FOREIGN, _("Abroad")),
]
REGIME_CHOICES = [
    (Regime.SIMPLES, _("Simples Nacional / MEI")),
    (Regime.SIMPLES_EXCESS, _("Simples Nacional above the sub-limit")),
    (Regime.NORMAL, _("Normal regime")),
]
RECIPIENT_CHOICES = [
    (Recipient.TAXPAYER, _("ICMS taxpayer")),
    (Recipient.NON_TAXPAYER, _("Not an ICMS taxpayer")),
    (Recipient.FINAL_CONSUMER, _("Final consumer")),
]


class TaxRule(CompanyScoped, Versioned):
    """One tax for the lines it matches (blank criteria match anything): the highest priority wins,
    then the most specific rule. Rates are percentages."""

    name = models.CharField(_("name"), max_length=80)
    tax = models.CharField(_("tax"), max_length=10, choices=TAX_CHOICES)
    priority = models.SmallIntegerField(_("priority"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # what it matches
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tax_rules",
        verbose_name=_("operation"),
    )
    cfop = models.CharField(_("CFOP"), max_length=4, blank=True)
    origin_uf = models.CharField(_("from state"), max_length=2, blank=True)
    destination_uf = models.CharField(_("to state"), max_length=2, blank=True)
    scope = models.CharField(_("destination"), max_length=10, choices=SCOPE_CHOICES, blank=True)
    ncm_prefix = models.CharField(_("NCM starting with"), max_length=8, blank=True)
    regime = models.CharField(_("regime"), max_length=16, choices=REGIME_CHOICES, blank=True)
    recipient = models.CharField(_("recipient"), max_length=16, choices=RECIPIENT_CHOICES, blank=True)
    product_origins = models.CharField(_("product origins"), max_length=20, blank=True, help_text=_("e.g. 1,2,3,8"))
    # what it sets
    cst = models.CharField(_("CST / CSOSN"), max_length=3, blank=True)
    rate = RateField(_("rate (%)"), null=True, blank=True)
    base_reduction = RateField(_("base reduction (%)"), default=0)
    mva = RateField(_("MVA (%)"), default=0)
    st_rate = RateField(_("ST rate (%)"), null=True, blank=True)
    credit_rate = RateField(_("Simples Nacional credit (%)"), default=0)
    cclasstrib = models.CharField(_("cClassTrib"), max_length=6, blank=True)
    set_cfop = models.CharField(_("CFOP to use"), max_length=4, blank=True)
    ipi_enq = models.CharField(_("IPI framework code"), max_length=3, default="999")
    difal_double_base = models.BooleanField(_("DIFAL with double base"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tax rule")
        verbose_name_plural = _("tax rules")
        ordering = ["tax", "-priority", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="fiscal_taxrule_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(rate__isnull=True) | Q(rate__gte=0, rate__lte=100))
                & Q(base_reduction__gte=0, base_reduction__lte=100)
                & Q(mva__gte=0)
                & Q(credit_rate__gte=0, credit_rate__lte=100),
                name="fiscal_taxrule_rates_range",
            ),
        ]
        indexes = [models.Index(fields=["company", "tax", "is_active"])]

    def __str__(self):
        return self.name


class FiscalDocument(CompanyScoped, Versioned):
    """An NF-e or NFC-e, from draft to authorized or cancelled. Emitter and recipient are copied at
    build time (a note keeps the data it was issued with); taxes are stored per line with their reasons."""

    TRANSITIONS = DOCUMENT_TRANSITIONS

    model = models.PositiveSmallIntegerField(_("model"), choices=DocumentModel.choices, default=DocumentModel.NFE)
    series = models.PositiveSmallIntegerField(_("series"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    key = models.CharField(_("access key"), max_length=44, blank=True)
    random_code = models.CharField(max_length=8, blank=True)  # cNF
    emission_type = models.PositiveSmallIntegerField(_("emission type"), default=1)  # tpEmis
    contingency_since = models.DateTimeField(_("contingency since"), null=True, blank=True)  # dhCont
    contingency_reason = models.CharField(_("reason for the contingency"), max_length=256, blank=True)  # xJust
    environment = models.PositiveSmallIntegerField(_("environment"), choices=Environment.choices)
    state = models.CharField(_("state"), max_length=12, choices=DocumentState.choices, default=DocumentState.DRAFT)
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="+", verbose_name=_("operation"))
    nature = models.CharField(_("nature of the operation"), max_length=60)
    direction = models.PositiveSmallIntegerField(_("direction"), choices=Direction.choices)
    purpose = models.PositiveSmallIntegerField(_("purpose"), choices=Purpose.choices)
    recipient = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    emitter_data = models.JSONField(default=dict)
    recipient_data = models.JSONField(default=dict, blank=True)
    final_consumer = models.BooleanField(_("final consumer"), default=False)
    presence = models.PositiveSmallIntegerField(_("buyer presence"), default=1)  # indPres
    freight_mode = models.PositiveSmallIntegerField(_("freight mode"), default=9)  # modFrete
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    referenced_keys = models.JSONField(_("referenced notes"), default=list, blank=True)
    payments = models.JSONField(default=list, blank=True)
    installments = models.JSONField(default=list, blank=True)
    additional_info = models.TextField(_("additional information"), blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    # totals (sums of the rounded lines)
    products_total = MoneyField(_("products"), default=0)
    discount_total = MoneyField(_("discount"), default=0)
    freight_total = MoneyField(_("freight"), default=0)
    insurance_total = MoneyField(_("insurance"), default=0)
    other_total = MoneyField(_("other charges"), default=0)
    tax_totals = models.JSONField(default=dict, blank=True)
    total = MoneyField(_("total"), default=0)
    # SEFAZ
    protocol = models.CharField(_("protocol"), max_length=20, blank=True)
    status_code = models.CharField(_("cStat"), max_length=4, blank=True)
    status_message = models.CharField(_("xMotivo"), max_length=255, blank=True)
    authorized_at = models.DateTimeField(_("authorized at"), null=True, blank=True)
    qr_code = models.TextField(blank=True)
    # The signed XML (the nfeProc once authorized). The archive keeps every version immutably; this is
    # the current one, written in the issuing transaction so nothing depends on a file write.
    xml = models.TextField(blank=True)
    receipt = models.CharField(_("batch receipt"), max_length=15, blank=True)  # nRec of an asynchronous batch
    lease_until = models.DateTimeField(null=True, blank=True)  # a worker is talking to SEFAZ about it until then

    class Meta:
        verbose_name = _("fiscal document")
        verbose_name_plural = _("fiscal documents")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "model", "series", "number"],
                condition=Q(number__isnull=False),
                name="fiscal_document_number_unique",
            ),
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="fiscal_document_key_unique"),
            models.CheckConstraint(condition=Q(model__in=[55, 65]), name="fiscal_document_model"),
            models.CheckConstraint(condition=Q(total__gte=0), name="fiscal_document_total_positive"),
        ]
        indexes = [
            models.Index(fields=["company", "state", "-id"]),
            models.Index(fields=["company", "source_type", "source_id"]),
            models.Index(fields=["company", "issued_at"]),
        ]

    def __str__(self):
        label = "NFC-e" if self.model == DocumentModel.NFCE else "NF-e"
        return f"{label} {self.series}/{self.number}" if self.number else f"{label} ({_('draft')} #{self.pk})"

    @property
    def is_homologation(self) -> bool:
        return self.environment == Environment.HOMOLOGATION


class FiscalDocumentLine(models.Model):
    document = models.ForeignKey(FiscalDocument, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField(_("item"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    code = models.CharField(_("code"), max_length=60)
    description = models.CharField(_("description"), max_length=120)
    ncm = models.CharField(_("NCM"), max_length=8)
    cest = models.CharField(_("CEST"), max_length=7, blank=True)
    gtin = models.CharField(_("GTIN"), max_length=14, default="SEM GTIN")
    origin = models.PositiveSmallIntegerField(_("origin"))
    unit = models.CharField(_("unit"), max_length=6)
    cfop = models.CharField(_("CFOP"), max_length=4)
    quantity = QuantityField(_("quantity"))
    unit_price = PriceField(_("unit price"))
    gross = MoneyField(_("gross value"))
    discount = MoneyField(_("discount"), default=0)
    freight = MoneyField(_("freight"), default=0)
    insurance = MoneyField(_("insurance"), default=0)
    other = MoneyField(_("other charges"), default=0)
    taxes = models.JSONField(default=dict)  # tax -> {cst, base, rate, value, extra, rule_id, rule_name, why}
    source_line = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="fiscal_line_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=MAX_ITEMS), name="fiscal_line_number_range"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fiscal_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(gross__gte=0, discount__gte=0, freight__gte=0, insurance__gte=0, other__gte=0),
                name="fiscal_line_amounts_positive",
            ),
        ]

    def __str__(self):
        return f"{self.number}: {self.description}"


class ArchiveEntry(CompanyScoped):
    """One file of the immutable XML archive (the note, its protocol, an event). Append-only: the file
    lives in Django's storage under a path that is never reused, this row says what it is."""

    class Kind(models.TextChoices):
        NFE = "nfe", _("Signed note")
        NFE_PROC = "nfe_proc", _("Note with its authorization")
        EVENT = "event", _("Event")
        REQUEST = "request", _("Request to SEFAZ")
        RESPONSE = "response", _("Answer from SEFAZ")

    document = models.ForeignKey(
        FiscalDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="archive"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    path = models.CharField(_("file"), max_length=300, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    issued_month = models.CharField(max_length=7, db_index=True)  # YYYY-MM, for the accountant's export

    class Meta:
        verbose_name = _("archived file")
        verbose_name_plural = _("archived files")
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "issued_month", "id"])]

    def __str__(self):
        return self.path


class SefazExchange(CompanyScoped):
    """One request to SEFAZ and its answer (append-only): the document page shows the conversation."""

    document = models.ForeignKey(
        FiscalDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    service = models.CharField(_("service"), max_length=30)
    request = models.TextField(blank=True)
    response = models.TextField(blank=True)
    status_code = models.CharField(_("cStat"), max_length=4, blank=True)
    message = models.CharField(_("xMotivo"), max_length=255, blank=True)
    milliseconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["document", "id"])]


class FiscalEvent(CompanyScoped):
    """A registered event of a note: cancellation (110111) or correction letter (110110)."""

    document = models.ForeignKey(FiscalDocument, on_delete=models.PROTECT, related_name="events")
    event_type = models.CharField(_("event"), max_length=6)
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    text = models.TextField(_("text"))
    protocol = models.CharField(_("protocol"), max_length=20)
    xml = models.TextField()  # procEventoNFe: the signed event with SEFAZ's answer

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "event_type", "sequence"], name="fiscal_event_sequence_unique"),
            models.CheckConstraint(condition=Q(sequence__gte=1, sequence__lte=20), name="fiscal_event_sequence_range"),
        ]


class Voiding(CompanyScoped):
    """A range of numbers voided at SEFAZ (inutilização)."""

    model = models.PositiveSmallIntegerField(_("model"), choices=DocumentModel.choices)
    series = models.PositiveSmallIntegerField(_("series"))
    first = models.PositiveIntegerField(_("from number"))
    last = models.PositiveIntegerField(_("to number"))
    reason = models.CharField(_("reason"), max_length=255)
    protocol = models.CharField(_("protocol"), max_length=20)
    xml = models.TextField()

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(first__lte=models.F("last")), name="fiscal_voiding_range")]
