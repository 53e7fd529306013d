"""Read-only official reference tables (IBGE, NCM, CEST, CFOP, CST/CSOSN, banks).

Loaded from the CSV files in `data/` by the `load_br_tables` command, which migrations run on
install. Codes are zero-padded text and are the primary keys. A code the official table drops is
kept, `is_active=False`: old documents still show it; new ones refuse it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.Model):
    code = models.CharField(max_length=2, primary_key=True)  # IBGE numeric code, "35"
    abbreviation = models.CharField(max_length=2, unique=True)  # "SP"
    name = models.CharField(max_length=60)
    region = models.CharField(max_length=20)

    class Meta:
        ordering = ["abbreviation"]
        verbose_name = _("UF")

    def __str__(self):
        return self.abbreviation


class Municipality(models.Model):
    code = models.CharField(max_length=7, primary_key=True)  # NF-e cMun
    name = models.CharField(max_length=80, db_index=True)
    search_name = models.CharField(max_length=80, db_index=True)  # lower case, no accents
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="municipalities")
    uf = models.CharField(max_length=2, db_index=True)
    is_capital = models.BooleanField(default=False)
    siafi_code = models.CharField(max_length=4, blank=True)

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")

    def __str__(self):
        return f"{self.name}/{self.uf}"


class Ncm(models.Model):
    code = models.CharField(max_length=8, primary_key=True)
    description = models.TextField()
    full_description = models.TextField()
    search_text = models.TextField()  # lower case, no accents, for text search on both engines
    chapter = models.CharField(max_length=2)

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["code"]
        verbose_name = _("NCM")

    def __str__(self):
        return f"{self.code[:4]}.{self.code[4:6]}.{self.code[6:]}"


class Cest(models.Model):
    code = models.CharField(max_length=7, primary_key=True)
    segment = models.CharField(max_length=2)
    segment_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    ncm_prefixes = models.TextField(blank=True)  # ";"-separated, as in the official table

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["code"]
        verbose_name = _("CEST")

    def __str__(self):
        return f"{self.code[:2]}.{self.code[2:5]}.{self.code[5:]}"

    def matches_ncm(self, ncm: str) -> bool:
        return any(ncm.startswith(prefix) for prefix in self.ncm_prefixes.split(";") if prefix)


class Cfop(models.Model):
    code = models.CharField(max_length=4, primary_key=True)
    description = models.TextField()
    direction = models.CharField(max_length=10)  # entrada / saida
    scope = models.CharField(max_length=15)  # estadual / interestadual / exterior
    usable_in_nfe = models.BooleanField(default=True)
    is_return = models.BooleanField(default=False)

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["code"]
        verbose_name = _("CFOP")

    def __str__(self):
        return f"{self.code} - {self.description[:60]}"


class TaxCode(models.Model):
    """CST/CSOSN codes of every tax in one table, told apart by `kind`."""

    KINDS = [
        ("icms", "CST ICMS"),
        ("csosn", "CSOSN"),
        ("ipi", "CST IPI"),
        ("pis_cofins", "CST PIS/COFINS"),
        ("ibs_cbs", "CST IBS/CBS"),
        ("origin", _("Origin of the goods")),
    ]
    kind = models.CharField(max_length=12, choices=KINDS)
    code = models.CharField(max_length=3)
    description = models.TextField()
    nfe_group = models.CharField(max_length=30, blank=True)

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="br_taxcode_unique")]

    def __str__(self):
        return f"{self.code} - {self.description[:60]}"


class Bank(models.Model):
    compe = models.CharField(max_length=3, blank=True, db_index=True)
    ispb = models.CharField(max_length=8, primary_key=True)
    short_name = models.CharField(max_length=120)
    name = models.CharField(max_length=200)

    is_active = models.BooleanField(_("active"), default=True)  # False: retired, kept for old documents

    class Meta:
        ordering = ["compe"]

    def __str__(self):
        return f"{self.compe} - {self.short_name}" if self.compe else self.short_name
