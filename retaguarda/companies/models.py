from django.db import models
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import TimeStamped, Versioned
from retaguarda.core.validators import format_cnpj


class TaxRegime(models.IntegerChoices):
    """CRT of the NF-e."""

    SIMPLES = 1, _("Simples Nacional")
    SIMPLES_EXCESS = 2, _("Simples Nacional - above the sub-limit")
    NORMAL = 3, _("Normal regime")
    MEI = 4, _("MEI")


class Company(TimeStamped, Versioned):
    """The emitente: the legal entity that issues documents. Branches share the CNPJ root."""

    legal_name = models.CharField(_("legal name"), max_length=120)
    trade_name = models.CharField(_("trade name"), max_length=120, blank=True)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True)
    state_registration = models.CharField(_("state registration (IE)"), max_length=20, help_text=_("or ISENTO"))
    municipal_registration = models.CharField(_("municipal registration (IM)"), max_length=20, blank=True)
    cnae = models.CharField(_("CNAE"), max_length=7, blank=True)
    tax_regime = models.PositiveSmallIntegerField(_("tax regime (CRT)"), choices=TaxRegime.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches", verbose_name=_("head office")
    )
    # Address (NF-e enderEmit)
    postal_code = models.CharField(_("postal code (CEP)"), max_length=8)
    street = models.CharField(_("street"), max_length=60)
    number = models.CharField(_("number"), max_length=60)
    complement = models.CharField(_("complement"), max_length=60, blank=True)
    district = models.CharField(_("district"), max_length=60)
    municipality = models.ForeignKey(
        "br_tables.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    phone = models.CharField(_("phone"), max_length=14, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]

    def __str__(self):
        return self.trade_name or self.legal_name

    @property
    def cnpj_root(self) -> str:
        return self.cnpj[:8]

    @property
    def cnpj_formatted(self) -> str:
        return format_cnpj(self.cnpj)

    @property
    def uf(self) -> str:
        return self.municipality.uf

    @property
    def is_branch(self) -> bool:
        return self.parent_id is not None
