import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import DEPARTMENTS


class Department(models.Model):
    code = models.CharField(max_length=20, unique=True, choices=list(DEPARTMENTS.items()))

    class Meta:
        verbose_name = _("department")
        ordering = ["code"]

    def __str__(self):
        return str(DEPARTMENTS.get(self.code, self.code))


class User(AbstractUser):
    companies = models.ManyToManyField(
        "companies.Company",
        blank=True,
        through="Membership",
        related_name="users",
        verbose_name=_("companies"),
    )
    default_company = models.ForeignKey(
        "companies.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default company"),
    )

    class Meta:
        verbose_name = _("user")

    def department_codes(self, company_id: int | None = None) -> set[str]:
        """The departments granted in `company_id`, else in the company the request works in
        (`current_company_id`, set by `access.identity`), else the default or first membership."""
        company_id = company_id or getattr(self, "current_company_id", None) or self.default_company_id
        cache = self.__dict__.setdefault("_department_codes", {})
        if company_id not in cache:
            memberships = Membership.objects.filter(user=self)
            if company_id:
                memberships = memberships.filter(company_id=company_id)
            else:
                memberships = memberships.order_by("company_id")[:1]
            cache[company_id] = set(
                Department.objects.filter(memberships__in=memberships).values_list("code", flat=True)
            )
        return cache[company_id]

    def forget_departments(self) -> None:
        self.__dict__.pop("_department_codes", None)
        self.__dict__.pop("_dept_perms", None)
        self.__dict__.pop("_workplaces", None)


class Membership(models.Model):
    """A user's place in one company and the departments granted there: the same person may be
    Compras in one company and Contador in another."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="memberships", verbose_name=_("departments")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="access_membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.company_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the raw value is shown once."""

    PREFIX = "rtg_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart in the list
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def new_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class LoginFailure(models.Model):
    """Failed sign-ins, counted per username in a time window to lock out guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
