"""The finance API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from retaguarda.br_tables.models import Bank
from retaguarda.core.api import FilledText, StrictSchema
from retaguarda.core.api_numbers import Amount, Scale
from retaguarda.finance.models import (
    REMINDER_BODY_LENGTH,
    BalanceAccount,
    CashAccount,
    Category,
    CollectionNote,
    CostCenter,
    FinancialEntry,
    RecurringBill,
    ReminderTemplate,
    Settlement,
    Title,
    Transfer,
)

# A category posts to a balance account other than cash (money moves through cash accounts), or to none.
PostsTo = Literal[("", *(value for value in BalanceAccount.values if value != BalanceAccount.CASH))]

# An amount a title, an entry or a transfer carries: above zero, cents at most, below 10^14 (what the
# services refuse as too large).
AmountIn = Annotated[Decimal, Scale(2, 14, above_zero=True)]


class CategoryOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    kind: str
    dre_group: str
    posts_to: str
    role: str
    is_active: bool
    version: int


class CategoryIn(StrictSchema):
    writes = (Category,)
    code: FilledText
    name: FilledText
    kind: str
    dre_group: str
    parent_id: int | None = None
    posts_to: PostsTo = ""


class CategoryPatch(StrictSchema):
    writes = (Category,)
    version: int
    code: FilledText | None = None
    name: FilledText | None = None
    kind: str | None = None
    dre_group: str | None = None
    parent_id: int | None = None
    posts_to: PostsTo | None = None
    is_active: bool | None = None


class CostCenterOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    version: int


class CostCenterIn(StrictSchema):
    writes = (CostCenter,)
    code: FilledText
    name: FilledText


class CostCenterPatch(StrictSchema):
    writes = (CostCenter,)
    version: int
    code: FilledText | None = None
    name: FilledText | None = None
    is_active: bool | None = None


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    bank_id: str | None
    branch: str
    number: str
    opening_balance: Amount
    opening_date: datetime.date
    balance: Amount
    is_active: bool
    version: int


class AccountIn(StrictSchema):
    writes = (CashAccount,)
    columns = {"bank_id": Bank.ispb}
    kind: str
    name: str
    bank_id: str | None = None
    branch: str = ""
    number: str = ""
    opening_balance: Decimal = Decimal("0")
    opening_date: datetime.date


class AccountPatch(StrictSchema):
    writes = (CashAccount,)
    columns = {"bank_id": Bank.ispb}
    version: int
    name: str | None = None
    bank_id: str | None = None
    branch: str | None = None
    number: str | None = None
    opening_balance: Decimal | None = None
    opening_date: datetime.date | None = None
    is_active: bool | None = None


class InstallmentIn(StrictSchema):
    due_date: datetime.date
    amount: AmountIn


class InstallmentOut(Schema):
    id: int
    number: int
    due_date: datetime.date
    amount: Amount
    amount_open: Amount
    settled_on: datetime.date | None


class TitleIn(StrictSchema):
    writes = (Title,)
    typed = frozenset({"nfe_key"})
    kind: str
    category_id: int
    installments: list[InstallmentIn] = Field(min_length=1)
    issue_date: datetime.date | None = None
    competence_date: datetime.date | None = None
    party_id: int | None = None
    cost_center_id: int | None = None
    description: str = ""
    document_number: str = ""
    nfe_key: str = ""
    notes: str = ""


class TitleOut(Schema):
    id: int
    kind: str
    number: int
    party_id: int | None
    category_id: int
    cost_center_id: int | None
    description: str
    document_number: str
    nfe_key: str
    source_type: str
    source_ref: str
    issue_date: datetime.date
    competence_date: datetime.date
    amount: Amount
    amount_open: Amount
    state: str
    version: int
    installments: list[InstallmentOut]

    @staticmethod
    def resolve_installments(obj):
        return sorted(obj.installments.all(), key=lambda i: i.number)


class TitleSummaryOut(Schema):
    id: int
    kind: str
    number: int
    party_id: int | None
    category_id: int
    description: str
    document_number: str
    issue_date: datetime.date
    amount: Amount
    amount_open: Amount
    state: str


class WithholdingIn(StrictSchema):
    writes = (FinancialEntry,)
    tax: str
    amount: Decimal


class SettleIn(StrictSchema):
    writes = (Settlement,)
    installment_id: int | None = None
    account_id: int | None = None
    date: datetime.date | None = None
    paid: Decimal | None = None
    interest: Decimal | None = None
    fine: Decimal | None = None
    discount: Decimal | None = None
    withholdings: list[WithholdingIn] = []
    memo: str = ""


class SettlementOut(Schema):
    id: int
    installment_id: int
    title_id: int
    account_id: int | None
    date: datetime.date
    principal: Amount
    paid: Amount
    interest: Amount
    fine: Amount
    discount: Amount
    withheld: Amount
    state: str
    reversed_on: datetime.date | None


class ReverseIn(StrictSchema):
    columns = {"reason": Settlement.memo}
    date: datetime.date | None = None
    reason: str = ""


class CancelIn(StrictSchema):
    columns = {"reason": FinancialEntry.memo}
    reason: str = ""


class NoteIn(StrictSchema):
    writes = (CollectionNote,)
    kind: str = "note"
    text: str = ""
    promised_date: datetime.date | None = None
    promised_amount: Decimal | None = None


class NoteOut(Schema):
    id: int
    title_id: int
    party_id: int | None
    kind: str
    text: str
    promised_date: datetime.date | None
    promised_amount: Amount | None
    created_at: datetime.datetime


class EntryOut(Schema):
    id: int
    kind: str
    date: datetime.date
    account_id: int | None
    installment_id: int | None
    title_id: int | None
    party_id: int | None
    category_id: int | None
    cost_center_id: int | None
    settlement_id: int | None
    transfer_id: int | None
    amount: Amount
    cash_delta: Amount
    principal_delta: Amount
    tax: str
    reverses_id: int | None
    memo: str


class DirectEntryIn(StrictSchema):
    writes = (FinancialEntry,)
    account_id: int
    category_id: int
    amount: AmountIn
    date: datetime.date | None = None
    party_id: int | None = None
    cost_center_id: int | None = None
    memo: str = ""


class TransferIn(StrictSchema):
    writes = (Transfer,)
    from_account_id: int
    to_account_id: int
    amount: AmountIn
    date: datetime.date | None = None
    memo: str = ""


class TransferOut(Schema):
    id: int
    from_account_id: int
    to_account_id: int
    date: datetime.date
    amount: Amount
    memo: str


class StatementOut(Schema):
    id: int
    account_id: int
    file_name: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    ledger_balance: Amount | None
    ledger_balance_date: datetime.date | None
    lines_read: int
    lines_new: int


class SuggestionOut(Schema):
    kind: str
    target_id: int
    label: str
    date: datetime.date
    amount: Amount
    score: int


class StatementLineOut(Schema):
    id: int
    account_id: int
    statement_id: int
    fitid: str
    date: datetime.date
    amount: Amount
    bank_type: str
    memo: str
    name: str
    state: str
    entry_ids: list[int] = []
    suggestions: list[SuggestionOut] = []


class SettleItemIn(StrictSchema):
    installment_id: int
    amount: Decimal


class CreateItemIn(StrictSchema):
    writes = (FinancialEntry,)
    category_id: int
    amount: Decimal
    party_id: int | None = None
    cost_center_id: int | None = None
    memo: str = ""


class ReconcileIn(StrictSchema):
    entry_ids: list[int] = []
    settle: list[SettleItemIn] = []
    create: list[CreateItemIn] = []


class RecurringBillOut(Schema):
    id: int
    kind: str
    description: str
    party_id: int | None
    category_id: int
    cost_center_id: int | None
    amount: Amount
    frequency: str
    start_date: datetime.date
    end_date: datetime.date | None
    days_ahead: int
    is_active: bool
    version: int


DAYS_AHEAD_RANGE = {"ge": 0, "le": 366}


class RecurringBillIn(StrictSchema):
    writes = (RecurringBill,)
    description: FilledText
    category_id: int
    amount: AmountIn
    start_date: datetime.date
    kind: str = "payable"
    frequency: str = "monthly"
    end_date: datetime.date | None = None
    days_ahead: int = Field(45, **DAYS_AHEAD_RANGE)
    party_id: int | None = None
    cost_center_id: int | None = None


class RecurringBillPatch(StrictSchema):
    writes = (RecurringBill,)
    version: int
    description: FilledText | None = None
    category_id: int | None = None
    amount: AmountIn | None = None
    frequency: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    days_ahead: int | None = Field(None, **DAYS_AHEAD_RANGE)
    party_id: int | None = None
    cost_center_id: int | None = None
    is_active: bool | None = None


class CashFlowRowOut(Schema):
    start: datetime.date
    end: datetime.date
    realized_in: Amount
    realized_out: Amount
    projected_in: Amount
    projected_out: Amount
    net: Amount
    balance: Amount


class CashFlowOut(Schema):
    start: datetime.date
    end: datetime.date
    granularity: str
    account_id: int | None
    opening_balance: Amount
    closing_balance: Amount
    overdue_in: Amount
    overdue_out: Amount
    first_negative_day: datetime.date | None
    lowest_balance: Amount
    rows: list[CashFlowRowOut]


class DreRowOut(Schema):
    key: str
    label: str
    kind: str
    group: str
    category_id: int | None
    values: list[Amount]
    total: Amount


class DreOut(Schema):
    start: datetime.date
    end: datetime.date
    basis: str
    months: list[datetime.date]
    rows: list[DreRowOut]


class AgingRowOut(Schema):
    party_id: int | None
    party: str
    current: Amount
    d1_30: Amount
    d31_60: Amount
    d61_90: Amount
    d90_plus: Amount
    total: Amount


class AgingOut(Schema):
    today: datetime.date
    kind: str
    rows: list[AgingRowOut]
    totals: dict[str, Amount]


class FollowUpOut(Schema):
    party_id: int | None
    party: str
    email: str
    phone: str
    overdue_total: Amount
    overdue_count: int
    oldest_due: datetime.date
    last_contact_at: datetime.datetime | None
    last_contact: str
    next_promise: datetime.date | None


class ReminderTemplateOut(Schema):
    id: int
    name: str
    days_offset: int
    subject: str
    body: str
    is_active: bool
    version: int


# Checked with the other fields of the body (blank texts, lengths), every problem at once.
OFFSET_RANGE = {"ge": -60, "le": 120}


class ReminderTemplateIn(StrictSchema):
    writes = (ReminderTemplate,)
    name: FilledText
    days_offset: int = Field(description="days from the due date (-60 to 120)", **OFFSET_RANGE)
    subject: FilledText
    body: FilledText = Field(max_length=REMINDER_BODY_LENGTH)


class ReminderTemplatePatch(StrictSchema):
    writes = (ReminderTemplate,)
    version: int
    name: FilledText | None = None
    days_offset: int | None = Field(None, **OFFSET_RANGE)
    subject: FilledText | None = None
    body: FilledText | None = Field(None, max_length=REMINDER_BODY_LENGTH)
    is_active: bool | None = None


class PositionOut(Schema):
    party_id: int
    open_total: Amount
    overdue_total: Amount
    overdue_count: int
    oldest_overdue: datetime.date | None
