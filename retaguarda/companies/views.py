"""Company pages: the companies a user works in, their branches, registration and edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.companies import selectors, services
from retaguarda.companies.forms import CompanyForm
from retaguarda.companies.models import Company
from retaguarda.core.actor import actor_of
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.scope import company_optional


def _company(request, pk: int) -> Company:
    company = selectors.companies_for(request.user).filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@company_optional
@login_required
@permission_required("companies.view", raise_exception=True)
def company_list(request):
    companies = list(selectors.companies_for(request.user).order_by("cnpj"))
    return render(request, "companies/company_list.html", {"companies": companies})


@company_optional
@login_required
@permission_required("companies.view", raise_exception=True)
def company_detail(request, pk: int):
    company = _company(request, pk)
    branches = selectors.companies_for(request.user).filter(parent=company).order_by("cnpj")
    return render(request, "companies/company_detail.html", {"company": company, "branches": branches})


@company_optional
@login_required
@permission_required("companies.change", raise_exception=True)
def company_create(request):
    parent = None
    parent_id = request.GET.get("matriz") or request.POST.get("parent_id") or ""
    if parent_id.isdigit():
        parent = _company(request, int(parent_id))
    initial = {}
    if parent is not None:
        initial = {
            "legal_name": parent.legal_name,
            "cnpj": f"{parent.cnpj_root[:2]}.{parent.cnpj_root[2:5]}.{parent.cnpj_root[5:]}/",
            "tax_regime": parent.tax_regime,
            "cnae": parent.cnae,
        }
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if parent is not None:
            data["parent_id"] = parent.pk
        try:
            company = services.create_company(actor=actor_of(request), **data)
        except ValidationFailed as exc:
            form.apply(exc)
        except DomainError as exc:
            form.add_error("cnpj" if exc.code == "companies.duplicate_cnpj" else None, exc.message)
        else:
            messages.success(request, _("%(name)s registered. You can now work in it.") % {"name": company})
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/company_form.html", {"form": form, "company": None, "parent": parent})


@company_optional
@login_required
@permission_required("companies.change", raise_exception=True)
def company_edit(request, pk: int):
    company = _company(request, pk)
    initial = {name: getattr(company, name) for name in CompanyForm.base_fields if name != "cnpj"}
    form = CompanyForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_company(company.pk, actor=actor_of(request), version=_version(request), **form.cleaned_data)
        except ValidationFailed as exc:
            form.apply(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/company_form.html", {"form": form, "company": company, "parent": company.parent})


def _command(request, pk: int, run, done: str):
    company = _company(request, pk)
    try:
        run(company.pk, actor=actor_of(request), version=_version(request))
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("companies:detail", pk=company.pk)


@company_optional
@login_required
@permission_required("companies.change", raise_exception=True)
@require_POST
def company_deactivate(request, pk: int):
    return _command(request, pk, services.deactivate_company, _("Company deactivated."))


@company_optional
@login_required
@permission_required("companies.change", raise_exception=True)
@require_POST
def company_reactivate(request, pk: int):
    return _command(request, pk, services.reactivate_company, _("Company reactivated."))
