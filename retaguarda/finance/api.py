"""Finance API at `/api/v1/finance`: categories, cost centers, accounts, titles (+ settle, cancel, notes),
settlements (+ reverse), entries, transfers, recurring bills, statements (upload, lines, reconciliation
commands), cash flow, income statement (DRE), aging, collections (+ reminder templates) and a party's
position.

Over-settling answers 409 `finance.over_settlement`; a reconciled line 409 `finance.line_locked`; a file
that is not OFX 422 `finance.not_ofx`. State changes are POST commands."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Router, Status, UploadedFile
from ninja.errors import HttpError

from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.finance import selectors, services
from retaguarda.finance.models import (
    BankStatement,
    CashAccount,
    Category,
    CostCenter,
    FinancialEntry,
    Installment,
    Reconciliation,
    RecurringBill,
    ReminderTemplate,
    Settlement,
    StatementLine,
    Title,
    Transfer,
)
from retaguarda.finance.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    AgingOut,
    CancelIn,
    CashFlowOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CostCenterIn,
    CostCenterOut,
    CostCenterPatch,
    DirectEntryIn,
    DreOut,
    EntryOut,
    FollowUpOut,
    NoteIn,
    NoteOut,
    PositionOut,
    ReconcileIn,
    RecurringBillIn,
    RecurringBillOut,
    RecurringBillPatch,
    ReminderTemplateIn,
    ReminderTemplateOut,
    ReminderTemplatePatch,
    ReverseIn,
    SettleIn,
    SettlementOut,
    StatementLineOut,
    StatementOut,
    TitleIn,
    TitleOut,
    TitleSummaryOut,
    TransferIn,
    TransferOut,
)

router = Router(tags=["finance"])
VIEW = require("finance.view")
CHANGE = require("finance.change")
POST = require("finance.post")
MAX_UPLOAD = 20 * 1024 * 1024


def _company(request):
    return request.company


def _own(request, model, pk: int):
    """The company's row, or 404 (another company's row is not found either)."""
    return get_object_or_404(model, pk=pk, company=_company(request))


def _title(pk: int) -> Title:
    return Title.objects.prefetch_related("installments").get(pk=pk)


# ---------------------------------------------------------------------------- chart and cost centers


@router.get("/categories", response=list[CategoryOut], auth=VIEW)
def list_categories(request):
    """The chart of categories (seeded with a Brazilian default on first use), by code."""
    services.ensure_chart(_company(request).pk)
    return list(Category.objects.filter(company=_company(request)).order_by("code", "id"))


@router.post("/categories", response={201: CategoryOut}, auth=CHANGE)
@idempotent
def create_category(request, body: CategoryIn):
    return Status(201, services.create_category(actor=actor_of(request), **body.dict()))


@router.patch("/categories/{category_id}", response=CategoryOut, auth=CHANGE)
def update_category(request, category_id: int, body: CategoryPatch):
    _own(request, Category, category_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_category(category_id, actor=actor_of(request), version=body.version, **fields)


@router.get("/cost-centers", response=list[CostCenterOut], auth=VIEW)
def list_cost_centers(request):
    return list(CostCenter.objects.filter(company=_company(request)).order_by("code", "id"))


@router.post("/cost-centers", response={201: CostCenterOut}, auth=CHANGE)
@idempotent
def create_cost_center(request, body: CostCenterIn):
    return Status(201, services.create_cost_center(actor=actor_of(request), **body.dict()))


@router.patch("/cost-centers/{center_id}", response=CostCenterOut, auth=CHANGE)
def update_cost_center(request, center_id: int, body: CostCenterPatch):
    _own(request, CostCenter, center_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_cost_center(center_id, actor=actor_of(request), version=body.version, **fields)


# ---------------------------------------------------------------------------- accounts


@router.get("/accounts", response=list[AccountOut], auth=VIEW)
def list_accounts(request):
    """Bank accounts, cash boxes, cards and payment accounts with their current balance."""
    return list(CashAccount.objects.filter(company=_company(request)).order_by("name", "id"))


@router.post("/accounts", response={201: AccountOut}, auth=CHANGE)
@idempotent
def create_account(request, body: AccountIn):
    return Status(201, services.create_account(actor=actor_of(request), **body.dict()))


@router.get("/accounts/{account_id}", response=AccountOut, auth=VIEW)
def get_account(request, account_id: int):
    return _own(request, CashAccount, account_id)


@router.patch("/accounts/{account_id}", response=AccountOut, auth=CHANGE)
def update_account(request, account_id: int, body: AccountPatch):
    _own(request, CashAccount, account_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_account(account_id, actor=actor_of(request), version=body.version, **fields)


# ---------------------------------------------------------------------------- titles


@router.get("/titles", response=Page[TitleSummaryOut], auth=VIEW)
def list_titles(
    request,
    kind: str = "",
    state: str = "",
    party_id: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Receivables and payables, newest first; `state` open, partially_settled, settled or cancelled."""
    qs = Title.objects.filter(company=_company(request))
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if party_id:
        qs = qs.filter(party_id=party_id)
    if q:
        qs = qs.filter(description__icontains=q) | qs.filter(document_number__icontains=q)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/titles", response={201: TitleOut}, auth=POST)
@idempotent
def create_title(request, body: TitleIn):
    """A receivable or payable with its installments (amount = Σ installments)."""
    data = body.dict(exclude={"installments"})
    title = services.create_title(
        actor=actor_of(request),
        installments=[services.InstallmentIn(i.due_date, i.amount) for i in body.installments],
        **data,
    )
    return Status(201, _title(title.pk))


@router.get("/titles/{title_id}", response=TitleOut, auth=VIEW)
def get_title(request, title_id: int):
    _own(request, Title, title_id)
    return _title(title_id)


@router.post("/titles/{title_id}/settle", response={201: SettlementOut}, auth=POST)
@idempotent
def settle_title(request, title_id: int, body: SettleIn):
    """Settle an installment (the first open one unless `installment_id` is given), in full or in part,
    with interest, fine, discount and withheld taxes. Send an `Idempotency-Key` to make retries safe."""
    title = _own(request, Title, title_id)
    installment_id = body.installment_id
    if installment_id is None:
        installment_id = (
            title.installments.filter(amount_open__gt=0).order_by("due_date", "id").values_list("pk", flat=True).first()
        )
        if installment_id is None:
            raise HttpError(409, "O título não tem parcela em aberto.")
    elif not Installment.objects.filter(pk=installment_id, title=title).exists():
        raise HttpError(404, "Parcela não encontrada.")
    settlement = services.settle(
        installment_id,
        actor=actor_of(request),
        on=body.date,
        account_id=body.account_id,
        paid=body.paid,
        interest=body.interest,
        fine=body.fine,
        discount=body.discount,
        withholdings=[services.Withholding(w.tax, w.amount) for w in body.withholdings],
        memo=body.memo,
    )
    return Status(201, settlement)


@router.post("/titles/{title_id}/cancel", response=TitleOut, auth=POST)
def cancel_title(request, title_id: int, body: CancelIn):
    _own(request, Title, title_id)
    services.cancel_title(title_id, actor=actor_of(request), reason=body.reason)
    return _title(title_id)


@router.get("/titles/{title_id}/notes", response=list[NoteOut], auth=VIEW)
def list_notes(request, title_id: int):
    title = _own(request, Title, title_id)
    return list(title.collection_notes.order_by("-id"))


@router.post("/titles/{title_id}/notes", response={201: NoteOut}, auth=POST)
@idempotent
def add_note(request, title_id: int, body: NoteIn):
    """A contact note or a promise of payment (`kind: promise` with `promised_date`)."""
    _own(request, Title, title_id)
    return Status(201, services.add_note(title_id, actor=actor_of(request), **body.dict()))


@router.get("/settlements/{settlement_id}", response=SettlementOut, auth=VIEW)
def get_settlement(request, settlement_id: int):
    return _own(request, Settlement, settlement_id)


@router.post("/settlements/{settlement_id}/reverse", response=SettlementOut, auth=POST)
def reverse_settlement(request, settlement_id: int, body: ReverseIn):
    """Undo a settlement with mirror entries (never a delete); the installment reopens."""
    _own(request, Settlement, settlement_id)
    return services.reverse_settlement(settlement_id, actor=actor_of(request), on=body.date, reason=body.reason)


# ---------------------------------------------------------------------------- entries and transfers


@router.get("/entries", response=Page[EntryOut], auth=VIEW)
def list_entries(
    request,
    account_id: int | None = None,
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """The financial ledger, newest first (append-only: reversals are rows of their own)."""
    qs = FinancialEntry.objects.filter(company=_company(request))
    if account_id:
        qs = qs.filter(account_id=account_id)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/entries", response={201: EntryOut}, auth=POST)
@idempotent
def create_direct_entry(request, body: DirectEntryIn):
    """A direct entry (lançamento avulso): into the account for an income category, out for an expense."""
    data = body.dict()
    data["on"] = data.pop("date")
    return Status(201, services.record_direct(actor=actor_of(request), **data))


@router.get("/transfers", response=Page[TransferOut], auth=VIEW)
def list_transfers(request, cursor: str | None = None, limit: PageLimit = 50):
    return keyset_page_body(
        Transfer.objects.filter(company=_company(request)), cursor=cursor, limit=limit, ordering=("-id",)
    )


@router.post("/transfers", response={201: TransferOut}, auth=POST)
@idempotent
def create_transfer(request, body: TransferIn):
    data = body.dict()
    data["on"] = data.pop("date")
    return Status(201, services.transfer(actor=actor_of(request), **data))


# ---------------------------------------------------------------------------- recurring bills


@router.get("/recurring-bills", response=list[RecurringBillOut], auth=VIEW)
def list_recurring_bills(request):
    return list(RecurringBill.objects.filter(company=_company(request)).order_by("description", "id"))


@router.post("/recurring-bills", response={201: RecurringBillOut}, auth=CHANGE)
@idempotent
def create_recurring_bill(request, body: RecurringBillIn):
    return Status(201, services.create_recurring_bill(actor=actor_of(request), **body.dict()))


@router.patch("/recurring-bills/{bill_id}", response=RecurringBillOut, auth=CHANGE)
def update_recurring_bill(request, bill_id: int, body: RecurringBillPatch):
    _own(request, RecurringBill, bill_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_recurring_bill(bill_id, actor=actor_of(request), version=body.version, **fields)


# ---------------------------------------------------------------------------- statements and reconciliation


@router.get("/statements", response=Page[StatementOut], auth=VIEW)
def list_statements(request, account_id: int | None = None, cursor: str | None = None, limit: PageLimit = 50):
    qs = BankStatement.objects.filter(company=_company(request))
    if account_id:
        qs = qs.filter(account_id=account_id)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))


@router.post("/statements", response={201: list[StatementOut]}, auth=POST)
def upload_statement(request, file: File[UploadedFile], account_id: int | None = None):
    """Upload an OFX file (1.x SGML or 2.x XML). Each statement in it goes to the account with the same
    number, or to `account_id` for a file with one statement. Lines already imported (same account and
    FITID) are skipped."""
    if file.size > MAX_UPLOAD:
        raise HttpError(413, "Arquivo grande demais (20 MB no máximo).")
    statements = services.import_statement(
        actor=actor_of(request), data=file.read(), file_name=file.name or "extrato.ofx", account_id=account_id
    )
    return Status(201, statements)


def _lines_out(lines: list[StatementLine]) -> list[dict]:
    hints = selectors.suggestions(lines)
    matched: dict[int, list[int]] = {}
    for line_id, entry_id in Reconciliation.objects.filter(line__in=lines).values_list("line_id", "entry_id"):
        matched.setdefault(line_id, []).append(entry_id)
    return [
        {
            "id": ln.pk,
            "account_id": ln.account_id,
            "statement_id": ln.statement_id,
            "fitid": ln.fitid,
            "date": ln.date,
            "amount": ln.amount,
            "bank_type": ln.bank_type,
            "memo": ln.memo,
            "name": ln.name,
            "state": ln.state,
            "entry_ids": matched.get(ln.pk, []),
            "suggestions": [s.__dict__ for s in hints.get(ln.pk, [])],
        }
        for ln in lines
    ]


@router.get("/statement-lines", response=Page[StatementLineOut], auth=VIEW)
def list_statement_lines(
    request, account_id: int | None = None, state: str = "", cursor: str | None = None, limit: PageLimit = 50
):
    """Statement lines oldest first, each with its matched entries or up to three suggestions."""
    qs = StatementLine.objects.filter(company=_company(request))
    if account_id:
        qs = qs.filter(account_id=account_id)
    if state:
        qs = qs.filter(state=state)
    page = keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("date", "id"))
    page["items"] = _lines_out(page["items"])
    return page


@router.post("/statement-lines/{line_id}/reconcile", response=StatementLineOut, auth=POST)
def reconcile_line(request, line_id: int, body: ReconcileIn):
    """Explain a line by existing entries (`entry_ids`), installments settled from it (`settle`) and new
    direct entries (`create`): their cash effects must add up to the line's amount exactly."""
    _own(request, StatementLine, line_id)
    line = services.reconcile(
        line_id,
        actor=actor_of(request),
        entry_ids=body.entry_ids,
        settlements=[services.SettleIn(s.installment_id, s.amount) for s in body.settle],
        creations=[services.CreateIn(**c.dict()) for c in body.create],
    )
    return _lines_out([line])[0]


@router.post("/statement-lines/{line_id}/undo", response=StatementLineOut, auth=POST)
def undo_reconciliation(request, line_id: int):
    _own(request, StatementLine, line_id)
    return _lines_out([services.undo_reconciliation(line_id, actor=actor_of(request))])[0]


@router.post("/statement-lines/{line_id}/ignore", response=StatementLineOut, auth=POST)
def ignore_line(request, line_id: int, ignored: bool = True):
    _own(request, StatementLine, line_id)
    return _lines_out([services.set_ignored(line_id, actor=actor_of(request), ignored=ignored)])[0]


# ---------------------------------------------------------------------------- reports


def _year_window(start, end):
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or (start + datetime.timedelta(days=90))
    if end < start:
        raise HttpError(422, "A data final não pode ser antes da inicial.")
    return start, end


@router.get("/cashflow", response=CashFlowOut, auth=VIEW)
def cash_flow(
    request,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    granularity: str = "day",
    account_id: int | None = None,
):
    """Realized and projected cash flow by day, week or month, with the balance line and its first
    negative day (the projection covers the company, so it is drawn only without `account_id`)."""
    start, end = _year_window(start, end)
    if account_id:
        _own(request, CashAccount, account_id)
    flow = selectors.cash_flow(
        _company(request).pk, start=start, end=end, granularity=granularity, account_id=account_id
    )
    return {
        **{k: getattr(flow, k) for k in ("start", "end", "granularity", "opening_balance", "closing_balance")},
        **{k: getattr(flow, k) for k in ("overdue_in", "overdue_out", "first_negative_day", "lowest_balance")},
        "account_id": account_id,
        "rows": [{**r.__dict__, "net": r.net} for r in flow.rows],
    }


@router.get("/dre", response=DreOut, auth=VIEW)
def income_statement(
    request,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    basis: str = "accrual",
    cost_center_id: int | None = None,
):
    """The income statement by month: `basis` accrual (competência) or cash (caixa)."""
    today = timezone.localdate()
    start = start or today.replace(month=1, day=1)
    end = end or today
    if end < start or (end - start).days > 800:
        raise HttpError(422, "Escolha um período de até dois anos, com a data final depois da inicial.")
    dre = selectors.income_statement(
        _company(request).pk, start=start, end=end, basis=basis, cost_center_id=cost_center_id
    )
    return {
        "start": dre.start,
        "end": dre.end,
        "basis": dre.basis,
        "months": dre.months,
        "rows": [{**r.__dict__, "total": r.total} for r in dre.rows],
    }


@router.get("/aging", response=AgingOut, auth=VIEW)
def aging(request, kind: str = "receivable"):
    """Open amounts per party: not yet due, 1-30, 31-60, 61-90 and over 90 days overdue."""
    report = selectors.aging(_company(request).pk, kind=kind)
    return {
        "today": report.today,
        "kind": report.kind,
        "rows": [{"party_id": r.party_id, "party": r.party, "total": r.total, **r.buckets} for r in report.rows],
        "totals": report.totals(),
    }


@router.get("/collections", response=list[FollowUpOut], auth=VIEW)
def collections(request):
    """Customers with overdue receivables: what they owe, since when, the last contact, the next promise."""
    return [f.__dict__ for f in selectors.follow_up(_company(request).pk)]


@router.get("/collections/reminder-templates", response=list[ReminderTemplateOut], auth=VIEW)
def list_reminder_templates(request):
    """The e-mails sent before and after due dates (`days_offset`, negative: before); the two usual ones
    are created on first use. Placeholders: {cliente}, {valor}, {vencimento}, {documento}, {empresa},
    {titulo}."""
    services.ensure_templates(_company(request).pk)
    return list(ReminderTemplate.objects.filter(company=_company(request)).order_by("days_offset", "id"))


@router.post("/collections/reminder-templates", response={201: ReminderTemplateOut}, auth=CHANGE)
@idempotent
def create_reminder_template(request, body: ReminderTemplateIn):
    return Status(201, services.create_template(actor=actor_of(request), **body.dict()))


@router.patch("/collections/reminder-templates/{template_id}", response=ReminderTemplateOut, auth=CHANGE)
def update_reminder_template(request, template_id: int, body: ReminderTemplatePatch):
    _own(request, ReminderTemplate, template_id)
    fields = body.dict(exclude_unset=True, exclude={"version"})
    return services.update_template(template_id, actor=actor_of(request), version=body.version, **fields)


@router.get("/parties/{party_id}/position", response=PositionOut, auth=VIEW)
def party_position(request, party_id: int):
    """A customer's open and overdue receivables (sales reads it to check credit and warn)."""
    from retaguarda.parties.models import Party

    _own(request, Party, party_id)
    position = selectors.customer_position(_company(request).pk, party_id)
    return {"party_id": party_id, **position.__dict__}
