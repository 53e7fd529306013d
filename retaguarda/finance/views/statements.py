"""Bank statements: OFX upload, and the reconciliation page where each line is confirmed against a
suggestion, split over several entries and installments, or turned into a direct entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.pagination import screen_page
from retaguarda.finance import selectors, services
from retaguarda.finance.models import BankStatement, CashAccount, Category, StatementLine
from retaguarda.finance.states import LineState
from retaguarda.finance.views.common import POST, VIEW, integer, money, require, show_error

MAX_UPLOAD = 20 * 1024 * 1024
SPLIT_ROWS = 5


@login_required
@permission_required(VIEW, raise_exception=True)
def statement_list(request):
    company = request.company
    if request.method == "POST":
        require(request, POST)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the OFX file."))
        elif upload.size > MAX_UPLOAD:
            messages.error(request, _("The file is too large for a bank statement (20 MB at most)."))
        else:
            try:
                imported = services.import_statement(
                    actor=actor_of(request),
                    data=upload.read(),
                    file_name=upload.name,
                    account_id=integer(request.POST.get("account_id")),
                )
            except DomainError as exc:
                show_error(request, exc)
            else:
                for s in imported:
                    messages.success(
                        request,
                        _("%(account)s: %(new)s new lines of %(read)s read.")
                        % {"account": s.account, "new": s.lines_new, "read": s.lines_read},
                    )
                return redirect(f"{reverse('finance:reconciliation')}?account={imported[0].account_id}")
    statements = BankStatement.objects.filter(company=company).select_related("account")
    listing = screen_page(request, statements)
    return render(
        request,
        "finance/statements.html",
        {
            **listing,
            "statements": listing["rows"],
            "accounts": CashAccount.objects.filter(company=company, is_active=True).order_by("name"),
            "data": request.POST,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def reconciliation(request):
    company = request.company
    accounts = CashAccount.objects.filter(company=company).order_by("name")
    account_id = integer(request.GET.get("account"))
    state = request.GET.get("state", LineState.UNRECONCILED)
    qs = StatementLine.objects.filter(company=company)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if state in LineState.values:
        qs = qs.filter(state=state)
    listing = screen_page(request, qs, ordering=("date", "id"))
    rows = listing["rows"]
    hints = selectors.suggestions(rows)
    for row in rows:
        row.hints = hints.get(row.pk, [])
    services.ensure_chart(company.pk)
    context = {
        **listing,
        "accounts": accounts,
        "filters": {"account": account_id, "state": state},
        "states": LineState.choices,
        "categories": Category.objects.filter(company=company, is_active=True).order_by("code"),
    }
    return render(request, "finance/reconciliation.html", context)


def _back(request, line: StatementLine):
    return redirect(request.POST.get("next") or f"{reverse('finance:reconciliation')}?account={line.account_id}")


@login_required
@permission_required(POST, raise_exception=True)
@require_POST
def line_action(request, line_id: int, action: str):
    """`confirm` a suggestion, `create` a direct entry from the line, `split` it, `ignore`/`restore` or
    `undo` a reconciliation."""
    line = get_object_or_404(StatementLine, pk=line_id, company=request.company)
    actor = actor_of(request)
    try:
        if action == "confirm":
            kind, target = request.POST.get("kind"), integer(request.POST.get("target"))
            if kind == "entry":
                services.reconcile(line.pk, actor=actor, entry_ids=[target])
            else:
                services.reconcile(line.pk, actor=actor, settlements=[services.SettleIn(target, abs(line.amount))])
        elif action == "create":
            services.reconcile(
                line.pk,
                actor=actor,
                creations=[
                    services.CreateIn(
                        integer(request.POST.get("category_id")), abs(line.amount), memo=request.POST.get("memo", "")
                    )
                ],
            )
        elif action == "split":
            entries, settlements, creations = [], [], []
            for n in range(1, SPLIT_ROWS + 1):
                kind, target = request.POST.get(f"kind_{n}", ""), integer(request.POST.get(f"target_{n}"))
                value = money(request.POST.get(f"amount_{n}"))
                if not kind or not target:
                    continue
                if kind == "entry":
                    entries.append(target)
                elif kind == "installment":
                    settlements.append(services.SettleIn(target, value))
                elif kind == "create":
                    creations.append(services.CreateIn(target, value))
            services.reconcile(line.pk, actor=actor, entry_ids=entries, settlements=settlements, creations=creations)
        elif action in ("ignore", "restore"):
            services.set_ignored(line.pk, actor=actor, ignored=action == "ignore")
        elif action == "undo":
            services.undo_reconciliation(line.pk, actor=actor)
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        show_error(request, exc)
        if action == "split":
            return line_detail(request, line_id)
    else:
        messages.success(request, _("Bank line updated."))
    return _back(request, line)


@login_required
@permission_required(VIEW, raise_exception=True)
def line_detail(request, line_id: int):
    company = request.company
    line = get_object_or_404(StatementLine.objects.select_related("account", "statement"), pk=line_id, company=company)
    context = {
        "line": line,
        "hints": selectors.suggestions([line], limit=10)[line.pk],
        "matches": line.matches.select_related("entry__title", "entry__category"),
        "categories": Category.objects.filter(company=company, is_active=True).order_by("code"),
        "split_rows": [
            (
                n,
                request.POST.get(f"kind_{n}", ""),
                request.POST.get(f"target_{n}", ""),
                request.POST.get(f"amount_{n}", ""),
            )
            for n in range(1, SPLIT_ROWS + 1)
        ],
        "open_installments": selectors.open_installments(
            company.pk, kind="receivable" if line.amount > 0 else "payable"
        ).select_related("party", "title")[:200],
    }
    return render(request, "finance/line_detail.html", context)
