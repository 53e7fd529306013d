"""Finance: categories and cost centers, cash accounts, titles with installments, the financial ledger,
the double-entry journal underneath, bank statements and recurring bills.

`FinancialEntry` is the append-only ledger of everything that moves money or an open amount; the cash
account balances and the installments' open amounts are its projections, kept in the same transaction
(`services`). Every event also posts a balanced `JournalEntry`; the database refuses an unbalanced one
(see migration 0002). The income statement reads the journal (accrual) or the entries (cash).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from retaguarda.core.actor import Origin
from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import MoneyField
from retaguarda.finance.states import (
    LINE_TRANSITIONS,
    SETTLEMENT_TRANSITIONS,
    TITLE_TRANSITIONS,
    LineState,
    SettlementState,
    TitleState,
)

# ---------------------------------------------------------------------------- chart of categories


class CategoryKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class DreGroup(models.TextChoices):
    """The income statement's lines, in the order it shows them."""

    GROSS_REVENUE = "gross_revenue", _("Gross revenue")
    DEDUCTIONS = "deductions", _("Deductions from revenue")
    COST_OF_GOODS = "cost_of_goods", _("Cost of goods sold")
    OPERATING_EXPENSES = "operating_expenses", _("Operating expenses")
    OTHER_OPERATING_INCOME = "other_operating_income", _("Other operating income")
    FINANCIAL_INCOME = "financial_income", _("Financial income")
    FINANCIAL_EXPENSES = "financial_expenses", _("Financial expenses")
    INCOME_TAXES = "income_taxes", _("Income taxes (IRPJ/CSLL)")
    NONE = "none", _("Outside the income statement")


class BalanceAccount(models.TextChoices):
    """The journal's balance-sheet accounts. Result accounts are the categories themselves."""

    CASH = "cash", _("Cash and banks")
    RECEIVABLES = "receivables", _("Receivables")
    PAYABLES = "payables", _("Payables")
    INVENTORY = "inventory", pgettext_lazy("journal account", "Inventory")
    TAXES_RECOVERABLE = "taxes_recoverable", _("Taxes recoverable")
    TAXES_PAYABLE = "taxes_payable", _("Taxes payable")
    FIXED_ASSETS = "fixed_assets", _("Fixed assets")
    LOANS = "loans", _("Loans and financing")
    EQUITY = "equity", _("Equity")
    OPENING = "opening", _("Opening balances")


class JournalAccount(models.TextChoices):
    """Where a journal line goes: a balance account, or `result` with the line's category."""

    RESULT = "result", _("Income statement (category)")
    CASH = BalanceAccount.CASH.value, BalanceAccount.CASH.label
    RECEIVABLES = BalanceAccount.RECEIVABLES.value, BalanceAccount.RECEIVABLES.label
    PAYABLES = BalanceAccount.PAYABLES.value, BalanceAccount.PAYABLES.label
    INVENTORY = BalanceAccount.INVENTORY.value, BalanceAccount.INVENTORY.label
    TAXES_RECOVERABLE = BalanceAccount.TAXES_RECOVERABLE.value, BalanceAccount.TAXES_RECOVERABLE.label
    TAXES_PAYABLE = BalanceAccount.TAXES_PAYABLE.value, BalanceAccount.TAXES_PAYABLE.label
    FIXED_ASSETS = BalanceAccount.FIXED_ASSETS.value, BalanceAccount.FIXED_ASSETS.label
    LOANS = BalanceAccount.LOANS.value, BalanceAccount.LOANS.label
    EQUITY = BalanceAccount.EQUITY.value, BalanceAccount.EQUITY.label
    OPENING = BalanceAccount.OPENING.value, BalanceAccount.OPENING.label


class Category(CompanyScoped, Versioned):
    """A node of the management chart of accounts (plano de contas gerencial).

    `dre_group` places it in the income statement. `posts_to` empty means the category is its own result
    account in the journal; otherwise titles of this category post to that balance account (merchandise
    bought goes to inventory, and reaches the accrual income statement as cost of goods sold when sold).
    `role` marks the categories the services use by themselves (interest, discounts, CMV...)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=CategoryKind.choices)
    dre_group = models.CharField(_("income statement line"), max_length=24, choices=DreGroup.choices)
    posts_to = models.CharField(
        _("posts to"),
        max_length=20,
        choices=BalanceAccount.choices,
        blank=True,
        help_text=_("Empty: a result account."),
    )
    role = models.CharField(_("system role"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="finance_category_code_unique"),
            models.UniqueConstraint(
                fields=["company", "role"], condition=~Q(role=""), name="finance_category_role_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=["income", "expense"]), name="finance_category_kind"),
            models.CheckConstraint(condition=~Q(posts_to="cash"), name="finance_category_not_cash"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class CostCenter(CompanyScoped, Versioned):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cost center")
        verbose_name_plural = _("cost centers")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="finance_costcenter_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"


# ---------------------------------------------------------------------------- cash accounts


class CashAccountKind(models.TextChoices):
    BANK = "bank", _("Bank account")
    CASH = "cash", _("Cash box")
    CARD = "card", _("Credit card")
    WALLET = "wallet", _("Payment account")


class CashAccount(CompanyScoped, Versioned):
    """A bank account or a cash box. `balance` is opening balance + Σ entries' cash effect (a projection)."""

    kind = models.CharField(_("kind"), max_length=8, choices=CashAccountKind.choices)
    name = models.CharField(_("name"), max_length=60)
    bank = models.ForeignKey(
        "br_tables.Bank", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank")
    )
    branch = models.CharField(_("branch"), max_length=10, blank=True)
    number = models.CharField(_("account number"), max_length=20, blank=True)
    opening_balance = MoneyField(_("opening balance"), default=0)
    opening_date = models.DateField(_("opening date"))
    balance = MoneyField(_("balance"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cash account")
        verbose_name_plural = _("cash accounts")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="finance_cashaccount_name_unique"),
            models.CheckConstraint(
                condition=~Q(kind="bank") | Q(bank__isnull=False), name="finance_cashaccount_bank_required"
            ),
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------- titles


class TitleKind(models.TextChoices):
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")


class Title(CompanyScoped, Versioned):
    """A receivable or a payable, in installments. `amount_open` is Σ of its installments' (a projection).

    A title created by another app names its source (`sales.order` 12, `fiscal.nfe` <key>): the pair is
    unique per company, so a retried call finds the title instead of making a second one."""

    TRANSITIONS = TITLE_TRANSITIONS

    kind = models.CharField(_("kind"), max_length=10, choices=TitleKind.choices)
    number = models.PositiveBigIntegerField(_("number"))
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer or supplier"),
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    cost_center = models.ForeignKey(
        CostCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cost center")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    document_number = models.CharField(_("document"), max_length=60, blank=True)
    nfe_key = models.CharField(_("NF-e access key"), max_length=44, blank=True)
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    issue_date = models.DateField(_("issue date"))
    competence_date = models.DateField(_("competence date"))
    amount = MoneyField(_("amount"))
    amount_open = MoneyField(_("open amount"))
    state = models.CharField(_("status"), max_length=20, choices=TitleState.choices, default=TitleState.OPEN)
    recurring_bill = models.ForeignKey(
        "RecurringBill", null=True, blank=True, on_delete=models.PROTECT, related_name="titles"
    )
    recurrence_date = models.DateField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "number"], name="finance_title_number_unique"),
            models.UniqueConstraint(
                fields=["company", "source_type", "source_ref"],
                condition=~Q(source_type=""),
                name="finance_title_source_unique",
            ),
            models.UniqueConstraint(
                fields=["recurring_bill", "recurrence_date"],
                condition=Q(recurring_bill__isnull=False),
                name="finance_title_recurrence_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_title_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_open__gte=0, amount_open__lte=F("amount")), name="finance_title_open_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(state="open", amount_open=F("amount"))
                | Q(state="partially_settled", amount_open__gt=0, amount_open__lt=F("amount"))
                | Q(state__in=["settled", "cancelled"], amount_open=0),
                name="finance_title_state_matches_open",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "state", "id"], name="finance_title_state_idx"),
            models.Index(fields=["company", "party", "kind"], name="finance_title_party_idx"),
            models.Index(fields=["company", "competence_date"], name="finance_title_competence_idx"),
        ]

    def __str__(self):
        prefix = TitleKind.RECEIVABLE.label if self.kind == TitleKind.RECEIVABLE else TitleKind.PAYABLE.label
        return f"{prefix} {self.number}"

    @property
    def sign(self) -> int:
        """+1 for money coming in, -1 for money going out."""
        return 1 if self.kind == TitleKind.RECEIVABLE else -1


class Installment(models.Model):
    """One due date of a title (parcela). `amount_open` = amount - Σ its entries' principal (a projection).

    Company, kind and party are copied from the title so cash flow, aging and collections read one
    table through a partial index on the open installments."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="installments")
    kind = models.CharField(max_length=10, choices=TitleKind.choices)
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("installment"))
    due_date = models.DateField(_("due date"))
    amount = MoneyField(_("amount"))
    amount_open = MoneyField(_("open amount"))
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title", "number"], name="finance_installment_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_installment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_open__gte=0, amount_open__lte=F("amount")),
                name="finance_installment_open_within_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "kind", "due_date"], condition=Q(amount_open__gt=0), name="finance_inst_open_idx"
            ),
            models.Index(fields=["company", "party", "due_date"], name="finance_inst_party_idx"),
        ]

    def __str__(self):
        return f"{self.title} {self.number}/{self.title_id}"


# ---------------------------------------------------------------------------- ledger


class EntryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    INTEREST = "interest", _("Interest")
    FINE = "fine", _("Fine")
    DISCOUNT = "discount", _("Discount")
    WITHHOLDING = "withholding", _("Withheld tax")
    CREDIT = "credit", _("Credit (return)")
    CANCELLATION = "cancellation", _("Cancellation")
    TRANSFER = "transfer", _("Transfer")
    DIRECT = "direct", _("Direct entry")


class WithheldTax(models.TextChoices):
    """Taxes withheld at settlement (retenções). IBS and CBS are the 2027 split payment's."""

    IRRF = "irrf", "IRRF"
    PIS = "pis", "PIS"
    COFINS = "cofins", "COFINS"
    CSLL = "csll", "CSLL"
    ISS = "iss", "ISS"
    INSS = "inss", "INSS"
    IBS = "ibs", "IBS"
    CBS = "cbs", "CBS"


class Settlement(CompanyScoped):
    """A payment of one installment (baixa), total or partial, with its interest, fine, discount and
    withheld taxes. Its `FinancialEntry` rows are the ledger; reversing it appends their mirror."""

    TRANSITIONS = SETTLEMENT_TRANSITIONS

    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="settlements")
    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="settlements")
    account = models.ForeignKey(
        CashAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    date = models.DateField(_("date"))
    principal = MoneyField(_("principal"))  # what leaves the open amount: paid + discount + withheld
    paid = MoneyField(_("amount paid"))  # what moves in the cash account
    interest = MoneyField(_("interest"), default=0)
    fine = MoneyField(_("fine"), default=0)
    discount = MoneyField(_("discount"), default=0)
    withheld = MoneyField(_("withheld taxes"), default=0)
    state = models.CharField(
        _("status"), max_length=10, choices=SettlementState.choices, default=SettlementState.POSTED
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gte=0), name="finance_settlement_principal"),
            models.CheckConstraint(
                condition=Q(interest__gte=0, fine__gte=0, discount__gte=0, withheld__gte=0),
                name="finance_settlement_parts_non_negative",
            ),
            # Compared within half a centavo: SQLite does this arithmetic in binary floating point.
            models.CheckConstraint(
                condition=LessThan(
                    Abs(F("principal") - (F("paid") - F("interest") - F("fine") + F("discount") + F("withheld"))),
                    Value(Decimal("0.005")),
                ),
                name="finance_settlement_parts_add_up",
            ),
            models.CheckConstraint(condition=Q(paid=0) | Q(account__isnull=False), name="finance_settlement_account"),
        ]

    def __str__(self):
        return str(_("Settlement %(id)s") % {"id": self.pk})


class Transfer(CompanyScoped):
    """Money moved from one cash account to another."""

    from_account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    to_account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(from_account=F("to_account")), name="finance_transfer_accounts_differ"),
        ]

    def __str__(self):
        return str(_("Transfer %(id)s") % {"id": self.pk})


class FinancialEntry(models.Model):
    """The financial ledger: append-only (the database refuses UPDATE and DELETE).

    `cash_delta` is the entry's effect on `account`'s balance (money in is positive); `principal_delta`
    how much it takes off `installment`'s open amount. `amount` is the entry's own value, positive, or
    negative on the reversing row (`reverses`) that undoes an earlier one. `category` is where the cash
    basis income statement puts it."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    date = models.DateField(_("date"))
    account = models.ForeignKey(CashAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    installment = models.ForeignKey(
        Installment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    title = models.ForeignKey(Title, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cost_center = models.ForeignKey(CostCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    amount = MoneyField(_("amount"))
    cash_delta = MoneyField(_("cash effect"), default=0)
    principal_delta = MoneyField(_("principal"), default=0)
    tax = models.CharField(_("tax withheld"), max_length=8, choices=WithheldTax.choices, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(max_length=10, choices=Origin.CHOICES, default=Origin.CLI)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("financial entry")
        verbose_name_plural = _("financial entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="finance_entry_amount_non_zero"),
            models.CheckConstraint(
                condition=Q(cash_delta=0) | Q(account__isnull=False), name="finance_entry_cash_account"
            ),
            models.CheckConstraint(
                condition=Q(principal_delta=0) | Q(installment__isnull=False),
                name="finance_entry_principal_installment",
            ),
            models.CheckConstraint(
                condition=Q(kind="withholding", tax__gt="") | (~Q(kind="withholding") & Q(tax="")),
                name="finance_entry_tax_only_on_withholding",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "date"], name="finance_entry_date_idx"),
            models.Index(fields=["account", "date"], name="finance_entry_account_idx"),
            models.Index(fields=["company", "category", "date"], name="finance_entry_category_idx"),
            models.Index(fields=["company", "party", "date"], name="finance_entry_party_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} ({self.date:%d/%m/%Y})"


# ---------------------------------------------------------------------------- journal


class JournalEntry(models.Model):
    """A balanced double entry. Its lines are written first and the header last: the database then
    refuses a header whose lines do not sum to zero (migration 0002). Append-only.

    The primary key is chosen by the service (a UUID) so the lines can name it before it exists; the
    foreign key from the lines is checked at commit, so a missing header fails the transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    source_type = models.CharField(_("source type"), max_length=60)
    source_ref = models.CharField(_("source reference"), max_length=64)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "source_type", "source_ref"], name="finance_journalentry_source_unique"
            ),
        ]
        indexes = [models.Index(fields=["company", "date"], name="finance_journal_date_idx")]

    def __str__(self):
        return self.description


class JournalLine(models.Model):
    """One side of a journal entry: `amount` is a debit when positive, a credit when negative."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))  # the entry's, copied so the income statement reads one table
    account = models.CharField(_("account"), max_length=20, choices=JournalAccount.choices)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cash_account = models.ForeignKey(CashAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cost_center = models.ForeignKey(CostCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount"))

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="finance_journalline_amount_non_zero"),
            models.CheckConstraint(
                condition=(Q(account="result") & Q(category__isnull=False))
                | (~Q(account="result") & Q(category__isnull=True)),
                name="finance_journalline_result_has_category",
            ),
            models.CheckConstraint(
                condition=(Q(account="cash") & Q(cash_account__isnull=False))
                | (~Q(account="cash") & Q(cash_account__isnull=True)),
                name="finance_journalline_cash_has_account",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "account", "date"], name="finance_jline_account_idx"),
            models.Index(fields=["company", "category", "date"], name="finance_jline_category_idx"),
        ]


# ---------------------------------------------------------------------------- recurring bills


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    WEEKLY = "weekly", _("Weekly")


class RecurringBill(CompanyScoped, Versioned):
    """A template (rent, salaries, software) from which a periodic task creates titles ahead of time."""

    kind = models.CharField(_("kind"), max_length=10, choices=TitleKind.choices, default=TitleKind.PAYABLE)
    description = models.CharField(_("description"), max_length=200)
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer or supplier"),
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    cost_center = models.ForeignKey(
        CostCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cost center")
    )
    amount = MoneyField(_("amount"))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    start_date = models.DateField(_("first due date"))
    end_date = models.DateField(_("last due date"), null=True, blank=True)
    days_ahead = models.PositiveSmallIntegerField(_("create how many days ahead"), default=45)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("recurring bill")
        verbose_name_plural = _("recurring bills")
        ordering = ["description", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_recurring_amount_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="finance_recurring_dates"
            ),
        ]

    def __str__(self):
        return self.description


# ---------------------------------------------------------------------------- bank statements


class BankStatement(CompanyScoped):
    """One imported OFX statement of one account; its lines are deduplicated by account + FITID."""

    account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="statements")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("to"), null=True, blank=True)
    ledger_balance = MoneyField(_("bank balance"), null=True, blank=True)
    ledger_balance_date = models.DateField(_("balance date"), null=True, blank=True)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-id"]

    def __str__(self):
        return self.file_name


class StatementLine(models.Model):
    """A transaction of a bank statement, to be reconciled with financial entries. Once reconciled it is
    locked: only an explicit, audited undo releases it."""

    TRANSITIONS = LINE_TRANSITIONS

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="statement_lines")
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    fitid = models.CharField(_("bank id (FITID)"), max_length=255)
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    bank_type = models.CharField(_("type"), max_length=20, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    check_number = models.CharField(_("check number"), max_length=40, blank=True)
    ref_number = models.CharField(_("reference"), max_length=40, blank=True)
    state = models.CharField(_("status"), max_length=14, choices=LineState.choices, default=LineState.UNRECONCILED)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "fitid"], name="finance_statementline_fitid_unique"),
            models.CheckConstraint(condition=~Q(amount=0), name="finance_statementline_amount_non_zero"),
        ]
        indexes = [models.Index(fields=["account", "state", "date"], name="finance_line_state_idx")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.amount} {self.memo}"


class Reconciliation(models.Model):
    """A statement line matched to the financial entries that explain it (Σ cash effects = line amount).
    An entry is reconciled at most once."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, related_name="matches")
    entry = models.OneToOneField(FinancialEntry, on_delete=models.PROTECT, related_name="reconciliation")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")


# ---------------------------------------------------------------------------- collections


class NoteKind(models.TextChoices):
    NOTE = "note", _("Contact note")
    PROMISE = "promise", _("Promise of payment")
    REMINDER = "reminder", _("Reminder sent")


class CollectionNote(CompanyScoped):
    """What the back office did about an overdue title: a contact, a promise to pay, a reminder sent."""

    title = models.ForeignKey(Title, on_delete=models.PROTECT, related_name="collection_notes")
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("note"), blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    promised_amount = MoneyField(_("promised amount"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("collection note")
        verbose_name_plural = _("collection notes")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="promise") | Q(promised_date__isnull=False), name="finance_note_promise_has_date"
            ),
        ]
        indexes = [models.Index(fields=["company", "party", "-id"], name="finance_note_party_idx")]


REMINDER_BODY_LENGTH = 5000  # characters of a reminder's message


class ReminderTemplate(CompanyScoped, Versioned):
    """An e-mail sent to customers `days_offset` days from the due date (negative: before it)."""

    name = models.CharField(_("name"), max_length=60)
    days_offset = models.SmallIntegerField(_("days from the due date"))
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder template")
        verbose_name_plural = _("reminder templates")
        ordering = ["days_offset", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="finance_reminder_name_unique")]

    def __str__(self):
        return self.name


class ReminderSent(models.Model):
    """One reminder per installment and template: the periodic task can run twice without mailing twice."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(ReminderTemplate, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    subject = models.CharField(max_length=200, default="")
    body = models.TextField(default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # set by the outbox handler once mailed

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["installment", "template"], name="finance_remindersent_unique"),
        ]
