"""Fiscal pages: documents by state, a document with each line's taxes and the rule behind each,
downloads, the actions its state allows; tax rules, operations, settings and the month's archive.
Reads go through `selectors`, writes through `services`, like the API."""

import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError
from retaguarda.core.pagination import screen_page
from retaguarda.core.states import allowed_transitions, state_history
from retaguarda.fiscal import certificates, selectors, services
from retaguarda.fiscal.models import TAX_CHOICES, DocumentModel
from retaguarda.fiscal.sefaz.transmitter import SefazUnavailable
from retaguarda.fiscal.services.transmission import hint_for
from retaguarda.fiscal.states import DocumentState

VIEW = "fiscal.view"
CHANGE = "fiscal.change"
ISSUE = "fiscal.issue"
TAX_LABELS = dict(TAX_CHOICES)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _error(request, exc: DomainError):
    messages.error(request, exc.message)
    for detail in exc.details:
        if isinstance(detail, dict) and detail.get("message") and detail.get("message") != exc.message:
            messages.error(request, detail["message"])


def _document_or_404(request, document_id: int):
    document = selectors.document(company=request.company, pk=document_id)
    if document is None:
        raise Http404
    return document


@login_required
@permission_required(VIEW, raise_exception=True)
def documents(request):
    state = request.GET.get("state", "")
    model = request.GET.get("model", "")
    qs = selectors.documents(
        company=request.company,
        state=state if state in DocumentState.values else None,
        model=int(model) if model in ("55", "65") else None,
    )
    context = {
        **screen_page(request, qs),
        "states": DocumentState.choices,
        "models": DocumentModel.choices,
        "filters": {"state": state, "model": model},
    }
    template = "fiscal/documents.html"
    return render(request, f"{template}#table" if request.htmx else template, context)


def line_rows(document) -> list[dict]:
    """Each line with its taxes in a fixed order, labelled, for the page."""
    order = [tax for tax, _label in TAX_CHOICES]
    rows = []
    for line in document.lines.all():
        taxes = [{"label": TAX_LABELS[tax], **line.taxes[tax]} for tax in order if tax in line.taxes]
        rows.append({"line": line, "taxes": taxes})
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
def document_detail(request, document_id: int):
    document = _document_or_404(request, document_id)
    context = {
        "document": document,
        "rows": line_rows(document),
        "allowed": allowed_transitions(document),
        "events": state_history(document),
        "has_xml": bool(document.key),
        "totals": [(TAX_LABELS.get(k, k), v) for k, v in _tax_totals(document)],
        "exchanges": document.exchanges.order_by("id"),
        "fiscal_events": document.events.order_by("id"),
        "hint": hint_for(document.status_code) if document.status_code else "",
    }
    return render(request, "fiscal/document_detail.html", context)


def _tax_totals(document):
    names = {"vICMS": "icms", "vST": "icms_st", "vFCP": "fcp", "vICMSUFDest": "difal", "vIPI": "ipi", "vPIS": "pis",
             "vCOFINS": "cofins", "vIBS": "IBS", "vCBS": "cbs"}  # fmt: skip
    return [(names[k], document.tax_totals[k]) for k in names if document.tax_totals.get(k) not in (None, "0", "0.00")]


@login_required
@require_POST
def document_action(request, document_id: int, action: str):
    _document_or_404(request, document_id)
    actor = actor_of(request)
    run = {
        "issue": (ISSUE, lambda: services.issue_document(document_id, actor=actor)),
        "discard": (CHANGE, lambda: services.discard_document(document_id, actor=actor)),
        "reopen": (CHANGE, lambda: services.reopen_document(document_id, actor=actor)),
        "transmit": (ISSUE, lambda: services.transmit(document_id)),
        "cancel": (
            ISSUE,
            lambda: services.cancel_document(document_id, actor=actor, reason=request.POST.get("reason", "")),
        ),
        "correct": (
            ISSUE,
            lambda: services.correct_document(document_id, actor=actor, text=request.POST.get("text", "")),
        ),
    }
    if action not in run or not request.user.has_perm(run[action][0]):
        raise PermissionDenied
    try:
        run[action][1]()
    except SefazUnavailable:
        messages.error(request, _("SEFAZ did not answer. The note is kept and will be sent again."))
        return redirect("fiscal:document", document_id=document_id)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Document updated."))
    return redirect("fiscal:document", document_id=document_id)


@login_required
@permission_required(VIEW, raise_exception=True)
def document_xml(request, document_id: int):
    document = _document_or_404(request, document_id)
    xml = services.signed_xml(document)
    if xml is None:
        raise Http404
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{document.key}.xml"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def document_danfe(request, document_id: int):
    document = _document_or_404(request, document_id)
    xml = services.signed_xml(document)
    if xml is None:
        raise Http404
    from retaguarda.fiscal import danfe  # brazilfiscalreport and fpdf2 load only when a PDF is asked for

    response = HttpResponse(danfe.render(document, xml), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{danfe.filename(document)}"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def correction_dacce(request, document_id: int, sequence: int):
    event = selectors.correction(company=request.company, document_id=document_id, sequence=sequence)
    if event is None:
        raise Http404
    from retaguarda.fiscal import danfe

    response = HttpResponse(danfe.render_correction(event), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{danfe.correction_filename(event)}"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def tax_rules(request):
    tax = request.GET.get("tax", "")
    qs = selectors.tax_rules(company=request.company, tax=tax or None)
    context = {
        **screen_page(request, qs, ordering=("id",), default_limit=100),
        "taxes": TAX_CHOICES,
        "filters": {"tax": tax},
    }
    template = "fiscal/tax_rules.html"
    return render(request, f"{template}#table" if request.htmx else template, context)


@login_required
@permission_required(VIEW, raise_exception=True)
def operations(request):
    return render(request, "fiscal/operations.html", {"rows": selectors.operations(company=request.company)})


def _certificate_warning(settings) -> str | None:
    days = certificates.days_left(settings) if settings is not None else None
    if days is None or days >= certificates.EXPIRY_WARNING_DAYS:
        return None
    if days < 0:
        return _("The A1 certificate has expired: notes cannot be signed until a new one is uploaded.")
    return ngettext(
        "The A1 certificate expires in %(days)s day: upload the renewed one.",
        "The A1 certificate expires in %(days)s days: upload the renewed one.",
        days,
    ) % {"days": days}


def _settings_response(request, status: int = 200):
    settings = selectors.settings(company=request.company)
    context = {
        "settings": settings,
        "warning": _certificate_warning(settings),
        "max_kb": certificates.MAX_PFX_BYTES // 1024,
        "csc_id": request.POST.get("csc_id", settings.csc_id if settings else ""),
    }
    return render(request, "fiscal/settings.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def settings_page(request):
    return _settings_response(request)


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def upload_certificate(request):
    """The A1 file and its password: checked, then stored encrypted. A refusal says why, on the page."""
    upload = request.FILES.get("certificate")
    data = upload.read(certificates.MAX_PFX_BYTES + 1) if upload is not None else b""
    try:
        services.install_certificate(data, request.POST.get("password", ""), actor=actor_of(request))
    except DomainError as exc:
        _error(request, exc)
        return _settings_response(request, status=422)
    messages.success(request, _("Certificate installed: the company's notes are now signed with it."))
    return redirect("fiscal:settings")


@login_required
@require_POST
@permission_required(ISSUE, raise_exception=True)
def switch_contingency(request):
    actor = actor_of(request)
    try:
        if request.POST.get("on") == "1":
            services.enter_contingency(request.POST.get("reason", ""), actor=actor)
            messages.success(
                request, _("In contingency: new notes go to the SVC (NF-e) or are issued offline (NFC-e).")
            )
        else:
            services.leave_contingency(actor=actor)
            messages.success(request, _("Contingency ended: new notes go to the state's SEFAZ again."))
    except DomainError as exc:
        _error(request, exc)
        return _settings_response(request, status=422)
    return redirect("fiscal:settings")


@login_required
@require_POST
@permission_required(CHANGE, raise_exception=True)
def save_csc(request):
    try:
        services.set_csc(request.POST.get("csc_id", ""), request.POST.get("csc", ""), actor=actor_of(request))
    except DomainError as exc:
        _error(request, exc)
        return _settings_response(request, status=422)
    messages.success(request, _("CSC saved."))
    return redirect("fiscal:settings")


@login_required
@permission_required(VIEW, raise_exception=True)
def export_archive(request):
    """The month's XML archive as a zip, for the accountant."""
    month = request.GET.get("month", "")
    if not MONTH.match(month):
        return render(
            request,
            "fiscal/export.html",
            {"month": month or timezone.localdate().strftime("%Y-%m"), "error": bool(month)},
        )
    buffer = io.BytesIO()
    services.export_month(request.company.pk, month, buffer)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="nfe-{request.company.cnpj}-{month}.zip"'
    return response
