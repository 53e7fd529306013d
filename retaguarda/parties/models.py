"""Parties: the people and companies the business deals with, as customers, suppliers and carriers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import CompanyScoped, TimeStamped, Versioned
from retaguarda.core.money import MoneyField
from retaguarda.core.validators import format_cep, format_document

BRAZIL = "1058"  # country code of the Banco Central table used by the NF-e (cPais)


class PartyKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (CPF)")
    COMPANY = "company", _("Company (CNPJ)")


class IeIndicator(models.IntegerChoices):
    """NF-e `indIEDest`: how the recipient stands towards the state tax (ICMS)."""

    TAXPAYER = 1, _("1 - ICMS taxpayer")
    EXEMPT = 2, _("2 - Exempt from state registration")
    NON_TAXPAYER = 9, _("9 - Not an ICMS taxpayer")


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")
    CARRIER = "carrier", _("Carrier")


ROLE_FIELDS = {Role.CUSTOMER: "is_customer", Role.SUPPLIER: "is_supplier", Role.CARRIER: "is_carrier"}


class Party(CompanyScoped, Versioned):
    """A customer, supplier or carrier (any combination), individual (CPF) or company (CNPJ)."""

    kind = models.CharField(_("person type"), max_length=10, choices=PartyKind.choices)
    document = models.CharField(_("CPF/CNPJ"), max_length=14)  # unmasked; alphanumeric CNPJ in upper case
    legal_name = models.CharField(_("legal name"), max_length=120)
    trade_name = models.CharField(_("trade name"), max_length=120, blank=True)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    is_carrier = models.BooleanField(_("carrier"), default=False)
    ie_indicator = models.PositiveSmallIntegerField(
        _("state registration indicator"), choices=IeIndicator.choices, default=IeIndicator.NON_TAXPAYER
    )
    state_registration = models.CharField(_("state registration (IE)"), max_length=14, blank=True)
    municipal_registration = models.CharField(_("municipal registration (IM)"), max_length=15, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=14, blank=True)  # digits, with area code
    notes = models.TextField(_("notes"), blank=True)
    credit_limit = MoneyField(_("credit limit"), default=0)
    payment_terms = models.CharField(
        _("payment terms"), max_length=60, blank=True, help_text=_("Days to each installment, e.g. 30/60/90.")
    )
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=300, editable=False, db_index=True)  # folded names, for search

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["legal_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "document"], name="parties_party_document_unique"),
            models.CheckConstraint(
                condition=Q(is_customer=True) | Q(is_supplier=True) | Q(is_carrier=True),
                name="parties_party_has_role",
            ),
            models.CheckConstraint(condition=Q(ie_indicator__in=[1, 2, 9]), name="parties_party_ie_indicator"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="parties_party_credit_limit_positive"),
        ]
        indexes = [models.Index(fields=["company", "legal_name", "id"])]

    def __str__(self):
        return self.trade_name or self.legal_name

    @property
    def document_formatted(self) -> str:
        return format_document(self.document)

    @property
    def roles(self) -> list[str]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]

    @property
    def installment_days(self) -> list[int]:
        """The payment terms as days after the invoice: "30/60/90" -> [30, 60, 90]."""
        return [int(part) for part in self.payment_terms.split("/") if part.strip().isdigit()]


class PartyAddress(TimeStamped):
    """An address of a party; at most one is the billing address and one the delivery address."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("party"))
    postal_code = models.CharField(_("postal code (CEP)"), max_length=8)
    street = models.CharField(_("street"), max_length=60)
    number = models.CharField(_("number"), max_length=60)
    complement = models.CharField(_("complement"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60)
    municipality = models.ForeignKey(
        "br_tables.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    uf = models.CharField(_("federal state"), max_length=2, editable=False)  # always the municipality's
    country_code = models.CharField(_("country code"), max_length=4, default=BRAZIL)
    country_name = models.CharField(_("country"), max_length=60, default="Brasil")
    is_billing = models.BooleanField(_("billing address"), default=False)
    is_delivery = models.BooleanField(_("delivery address"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_billing", "-is_delivery", "id"]
        constraints = [
            models.UniqueConstraint(fields=["party"], condition=Q(is_billing=True), name="parties_address_one_billing"),
            models.UniqueConstraint(
                fields=["party"], condition=Q(is_delivery=True), name="parties_address_one_delivery"
            ),
        ]

    def __str__(self):
        parts = [f"{self.street}, {self.number}"]
        if self.complement:
            parts.append(self.complement)
        parts.append(self.district)
        parts.append(f"{self.municipality.name}/{self.uf}")
        parts.append(format_cep(self.postal_code))
        return " - ".join(parts)


class PartyContact(TimeStamped):
    """A person to talk to at the party: buyer, accounts payable, logistics..."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("party"))
    name = models.CharField(_("name"), max_length=80)
    role = models.CharField(_("role"), max_length=60, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=14, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name
