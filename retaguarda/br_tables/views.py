"""The htmx endpoints behind the lookup widgets (municipality, NCM) used by other apps' forms."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from retaguarda.br_tables import selectors
from retaguarda.br_tables.widgets import NCM_LABEL_LENGTH, MunicipalityWidget, NcmWidget, safe_id
from retaguarda.core.scope import company_optional

LIMIT = 10


def _params(request) -> tuple[str, str, str]:
    field = safe_id(request.GET.get("field", ""))
    widget_id = safe_id(request.GET.get("id", "")) or f"id_{field}"
    text = (request.GET.get(f"{field}_search") or request.GET.get("q") or "").strip()
    return field, widget_id, text


def _results(request, field, widget_id, text, results, pick_url_name):
    context = {
        "field": field,
        "id": widget_id,
        "searched": bool(text),
        "results": results,
        "pick_url": reverse(pick_url_name),
    }
    return render(request, "br_tables/partials/lookup_results.html", context)


@company_optional
@login_required
@permission_required("br_tables.view", raise_exception=True)
def municipality_search(request):
    field, widget_id, text = _params(request)
    found = selectors.ranked(selectors.search_municipalities(text), text, LIMIT) if len(text) >= 2 else []
    results = [{"code": m.code, "label": str(m)} for m in found]
    return _results(request, field, widget_id, text, results, "br_tables:municipality_pick")


@company_optional
@login_required
@permission_required("br_tables.view", raise_exception=True)
def municipality_pick(request):
    field, widget_id, _text = _params(request)
    html = MunicipalityWidget().render(field, request.GET.get("code", ""), attrs={"id": widget_id})
    return HttpResponse(html)


@company_optional
@login_required
@permission_required("br_tables.view", raise_exception=True)
def ncm_search(request):
    field, widget_id, text = _params(request)
    found = list(selectors.ncms(q=text).order_by("code")[:LIMIT]) if len(text) >= 2 else []
    results = [{"code": n.code, "label": f"{n} - {n.description}"[:NCM_LABEL_LENGTH]} for n in found]
    return _results(request, field, widget_id, text, results, "br_tables:ncm_pick")


@company_optional
@login_required
@permission_required("br_tables.view", raise_exception=True)
def ncm_pick(request):
    field, widget_id, _text = _params(request)
    html = NcmWidget().render(field, request.GET.get("code", ""), attrs={"id": widget_id})
    return HttpResponse(html)
