from django.db import models
from django.utils.translation import gettext_lazy as _

from retaguarda.core.models import TimeStamped, Versioned
from retaguarda.core.validators import format_cnpj


class TaxRegime(models.IntegerChoices):
    """CRT of the NF-e."""

    SIMPLES = 1, _("Simples Nacional")
    SIMPLES_EXCESS = 2, _("Simples Nacional - excesso de sublimite")
    NORMAL = 3, _("Regime normal")
    MEI = 4, _("MEI")


class Company(TimeStamped, Versioned):
    """The emitente: the legal entity that issues documents. Branches share the CNPJ root."""

    legal_name = models.CharField(_("razão social"), max_length=120)
    trade_name = models.CharField(_("nome fantasia"), max_length=120, blank=True)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True)
    state_registration = models.CharField(_("inscrição estadual"), max_length=20, help_text=_("ou ISENTO"))
    municipal_registration = models.CharField(_("inscrição municipal"), max_length=20, blank=True)
    cnae = models.CharField(_("CNAE"), max_length=7, blank=True)
    tax_regime = models.PositiveSmallIntegerField(_("regime tributário (CRT)"), choices=TaxRegime.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches", verbose_name=_("matriz")
    )
    # Address (NF-e enderEmit)
    postal_code = models.CharField(_("CEP"), max_length=8)
    street = models.CharField(_("logradouro"), max_length=60)
    number = models.CharField(_("número"), max_length=60)
    complement = models.CharField(_("complemento"), max_length=60, blank=True)
    district = models.CharField(_("bairro"), max_length=60)
    municipality = models.ForeignKey(
        "br_tables.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("município")
    )
    phone = models.CharField(_("telefone"), max_length=14, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        verbose_name = _("empresa")
        verbose_name_plural = _("empresas")
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
