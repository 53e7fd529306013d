from datetime import datetime, time, timedelta

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.access.models import User
from retaguarda.core import outbox
from retaguarda.core.actor import actor_of
from retaguarda.core.audit_display import object_label, readable
from retaguarda.core.errors import DomainError
from retaguarda.core.models import AuditRecord, OutboxDelivery
from retaguarda.core.pagination import screen_page
from retaguarda.core.request_guard import max_body_bytes, too_large_message
from retaguarda.core.scope import scoped
from retaguarda.web import figures, today

AUDIT_PAGE = 50


@login_required
def home(request):
    company = request.company
    shown = today.departments_shown(request.user.department_codes(company.pk), request.user.is_superuser)
    return render(
        request,
        "web/home.html",
        {
            "departments": today.today(company.pk, shown),
            "figures": figures.home_figures(company),
            "recent": figures.recent_activity(company),
        },
    )


def _audited_kinds() -> list[tuple[str, str]]:
    """Our models by their names, for the audit log's filter (no query: read from the app registry)."""
    kinds = [
        (model._meta.label_lower, capfirst(str(model._meta.verbose_name)))
        for model in apps.get_models()
        if model.__module__.startswith("retaguarda.")
    ]
    return sorted(kinds, key=lambda kind: kind[1])


@login_required
@permission_required("audit.view", raise_exception=True)
def audit_log(request):
    qs = scoped(AuditRecord, request.company).select_related("user")
    user_id = request.GET.get("user") or ""
    object_q = (request.GET.get("object") or "").strip()
    date_from = request.GET.get("from") or ""
    date_to = request.GET.get("to") or ""
    if user_id.isdigit():
        qs = qs.filter(user_id=int(user_id))
    kind, _sep, pk = object_q.partition(":")
    if kind:
        qs = qs.filter(object_type=kind.lower()) if not pk else qs.filter(object_type=kind.lower(), object_id=pk)
    tz = timezone.get_current_timezone()
    try:
        if date_from:
            qs = qs.filter(
                created_at__gte=datetime.combine(datetime.strptime(date_from, "%Y-%m-%d").date(), time.min, tz)
            )
        if date_to:
            end = datetime.strptime(date_to, "%Y-%m-%d").date() + timedelta(days=1)
            qs = qs.filter(created_at__lt=datetime.combine(end, time.min, tz))
    except ValueError:
        messages.error(request, _("Invalid date in the filter."))
    listing = screen_page(request, qs, limit=AUDIT_PAGE)
    users = User.objects.filter(auditrecord__company=request.company).distinct().order_by("username")
    context = {
        **listing,
        "records": readable(listing["rows"]),
        "users": users,
        "kinds": _audited_kinds(),
        "kind": kind.lower(),
        "one_object": f"{object_label(kind.lower())} {pk}" if pk else "",
        "filters": {"user": user_id, "object": object_q, "from": date_from, "to": date_to},
    }
    template = "web/audit_log.html#table" if request.htmx else "web/audit_log.html"
    return render(request, template, context)


def _api_error(request, status: int, code: str, message: str):
    """Under /api/ even Django's own error handlers answer the API's JSON error body."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": code, "message": str(message), "details": []}, status=status)
    return None


def _refusal(request, exception, status: int, code: str, api_message, page_message):
    """The API body or the error page; a domain refusal (no company, a foreign company) says why."""
    if isinstance(exception, DomainError):
        code, api_message, page_message = exception.code, exception.message, exception.message
    if response := _api_error(request, status, code, api_message):
        return response
    return render(request, "web/error.html", {"status": status, "message": page_message}, status=status)


def refusal_page(request, status: int, message: str):
    """A request refused before its view (too large, control characters): the layout, what happened,
    that nothing was saved, and the way back to the form with what was typed (the browser's back)."""
    context = {"status": status, "message": message, "back": request.path, "nothing_saved": request.method == "POST"}
    return render(request, "web/refused.html", context, status=status)


def error_400(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # a form field over DATA_UPLOAD_MAX_MEMORY_SIZE
        if response := _api_error(request, 413, "core.too_large", too_large_message(max_body_bytes())):
            return response
        return refusal_page(request, 413, too_large_message(max_body_bytes()))
    message = _("The request is malformed.")
    return _refusal(request, exception, 400, "core.bad_request", message, message)


def error_403(request, exception=None):
    return _refusal(
        request,
        exception,
        403,
        "access.forbidden",
        _("You are not allowed to do this."),
        _("You are not allowed to open this page."),
    )


def error_404(request, exception=None):
    if response := _api_error(request, 404, "core.not_found", _("Page not found.")):
        return response
    return render(request, "web/error.html", {"status": 404, "message": _("Page not found.")}, status=404)


def error_500(request):
    if response := _api_error(request, 500, "core.internal", _("Internal error. Try again in a moment.")):
        return response
    # No context processors here: the failure may be the database itself.
    from django.http import HttpResponseServerError
    from django.template import loader

    html = loader.get_template("web/500.html").render({"message": _("Internal error. Try again in a moment.")})
    return HttpResponseServerError(html)


# --------------------------------------------------------------------------------------------
# Outbox deliveries that failed or are waiting to retry (the administrator's page)


def _deliveries_for(request):
    return scoped(OutboxDelivery, request.company).select_related("event")


@login_required
@permission_required("outbox.view", raise_exception=True)
def outbox_failures(request):
    """Event deliveries that failed for good (`failed`) or are retrying (`pending` after a failure)."""
    state = request.GET.get("state") or ""
    qs = _deliveries_for(request)
    if state == OutboxDelivery.State.FAILED:
        qs = qs.filter(state=state)
    elif state == "retrying":
        qs = qs.filter(state=OutboxDelivery.State.PENDING, attempts__gt=0)
    else:
        state = ""
        qs = qs.filter(Q(state=OutboxDelivery.State.FAILED) | Q(state=OutboxDelivery.State.PENDING, attempts__gt=0))
    listing = screen_page(request, qs)
    context = {
        **listing,
        "deliveries": listing["rows"],
        "state": state,
        "can_retry": request.user.has_perm("outbox.retry"),
    }
    template = "web/outbox.html#table" if request.htmx else "web/outbox.html"
    return render(request, template, context)


@login_required
@permission_required("outbox.retry", raise_exception=True)
@require_POST
def outbox_retry(request, pk: int):
    delivery = get_object_or_404(_deliveries_for(request), pk=pk)
    if outbox.retry(delivery.pk, actor=actor_of(request)):
        messages.success(request, _("The delivery will be tried again in a moment."))
    else:
        messages.error(request, _("This delivery is no longer waiting for a retry."))
    return redirect("web:outbox")
