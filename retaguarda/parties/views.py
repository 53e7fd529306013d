"""Pages for customers, suppliers and carriers. Every write goes through `parties.services`."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from retaguarda.br_tables.models import Municipality
from retaguarda.br_tables.widgets import MunicipalityWidget
from retaguarda.core import lookups
from retaguarda.core.actor import actor_of
from retaguarda.core.audit_display import readable
from retaguarda.core.errors import DomainError, ValidationFailed
from retaguarda.core.pagination import requested_limit, screen_page
from retaguarda.core.problems import put_on_form, put_on_forms
from retaguarda.core.validators import format_cep, normalize_cep, normalize_cnpj
from retaguarda.parties import selectors, services
from retaguarda.parties.forms import (
    AddressForm,
    ContactForm,
    PartyForm,
    offer_lookups,
    problems_beyond_the_form,
)
from retaguarda.parties.models import Party, Role

VIEW = "parties.view"
CHANGE = "parties.change"
PAGE_SIZES = (25, 50, 100)
ROLES_ON_FORM = {"roles": "is_customer"}  # the service's "choose a role" shows beside the first role's box

# The party's own history words its first two actions for a registration; the rest as the audit log does.
ACTIONS = {
    "created": gettext_lazy("Registered"),
    "updated": gettext_lazy("Changed"),
}


def _party(request, pk: int) -> Party:
    try:
        return selectors.get_party(company=request.company, pk=pk)
    except Party.DoesNotExist as exc:
        raise Http404 from exc


def trail(party: Party, limit: int = 100) -> list:
    """The party's audit records in words (core.audit_display); its first two actions worded for a registration."""
    records = readable(selectors.history(party)[:limit])
    for row in records:
        row.action = str(ACTIONS.get(row.record.action) or row.action)
    return records


@login_required
@permission_required(VIEW, raise_exception=True)
def party_list(request):
    q = (request.GET.get("q") or "").strip()
    role = request.GET.get("role") or ""
    role = role if role in Role.values else ""
    status = request.GET.get("status") or "active"
    active = {"active": True, "inactive": False}.get(status)
    limit = requested_limit(request, PAGE_SIZES[0], sizes=PAGE_SIZES)
    qs = selectors.parties(company=request.company, q=q, role=role, active=active)
    context = {
        **screen_page(request, qs, ordering=("legal_name", "id"), limit=limit),
        "filters": {"q": q, "role": role, "status": status, "limit": limit},
        "roles": Role.choices,
        "page_sizes": PAGE_SIZES,
    }
    template = "parties/party_list.html#table" if request.htmx else "parties/party_list.html"
    return render(request, template, context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def party_create(request):
    form = PartyForm(request.POST or None, initial={"kind": "company", "is_customer": True})
    address_form = AddressForm(request.POST or None, prefix="address")
    offer_lookups(form, address_form)
    if request.method == "POST" and not (form.is_valid() & address_form.is_valid()):
        every_problem(request, {"": form, "addresses[0].": address_form})
    elif request.method == "POST":
        addresses = [] if address_form.is_blank() else [address_form.cleaned_data]
        try:
            party = services.create_party(actor=actor_of(request), addresses=addresses, **form.service_fields())
        except ValidationFailed as exc:
            put_on_forms(exc, {"": form, "addresses[0].": address_form}, aliases=ROLES_ON_FORM)
        except DomainError as exc:
            form.add_error("document" if exc.code == "parties.duplicate_document" else None, exc.message)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": party})
            return redirect("parties:detail", pk=party.pk)
    return render(request, "parties/party_form.html", {"form": form, "address_form": address_form, "party": None})


@login_required
@permission_required(VIEW, raise_exception=True)
def party_detail(request, pk: int):
    party = _party(request, pk)
    return render(
        request,
        "parties/party_detail.html",
        {"party": party, "addresses": list(party.addresses.all()), "contacts": list(party.contacts.all()),
         "trail": trail(party)},
    )  # fmt: skip


@login_required
@permission_required(CHANGE, raise_exception=True)
def party_edit(request, pk: int):
    party = _party(request, pk)
    initial = {name: getattr(party, name) for name in PartyForm.base_fields}
    form = PartyForm(request.POST or None, initial=initial)
    offer_lookups(form)
    if request.method == "POST" and not form.is_valid():
        every_problem(request, {"": form}, existing=party)
    elif request.method == "POST":
        try:
            services.update_party(party.pk, actor=actor_of(request), version=_version(request), **form.service_fields())
        except ValidationFailed as exc:
            put_on_form(exc, form, aliases=ROLES_ON_FORM)
        except DomainError as exc:
            form.add_error("document" if exc.code == "parties.duplicate_document" else None, exc.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("parties:detail", pk=party.pk)
    return render(request, "parties/party_form.html", {"form": form, "party": party})


def every_problem(request, forms_by_prefix: dict, existing: Party | None = None) -> None:
    """A form refused a field: put the service's problems with the other fields beside them too."""

    def check(fields, addresses):
        return services.party_problems(fields, company_id=request.company.pk, addresses=addresses, existing=existing)

    details = problems_beyond_the_form(forms_by_prefix, check)
    if details:
        put_on_forms(ValidationFailed(details=details), forms_by_prefix, aliases=ROLES_ON_FORM)


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _command(request, pk: int, run, done: str):
    party = _party(request, pk)
    try:
        run(party.pk, actor=actor_of(request), version=_version(request))
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("parties:detail", pk=party.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def party_deactivate(request, pk: int):
    return _command(request, pk, services.deactivate_party, _("Deactivated: it no longer shows in searches."))


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def party_reactivate(request, pk: int):
    return _command(request, pk, services.reactivate_party, _("Reactivated."))


def _child_form(request, pk: int, child_id: int | None, *, form_class, related: str, add, update, title: str):
    party = _party(request, pk)
    child = None
    if child_id is not None:
        child = next((c for c in getattr(party, related).all() if c.pk == child_id), None)
        if child is None:
            raise Http404
    initial = {name: getattr(child, name) for name in form_class.base_fields} if child else {}
    form = form_class(request.POST or None, initial=initial)
    if form_class is AddressForm:
        offer_lookups(address_form=form)
    if request.method == "POST" and form.is_valid():
        try:
            if child is None:
                add(party.pk, actor=actor_of(request), version=_version(request), **form.cleaned_data)
            else:
                update(child.pk, actor=actor_of(request), version=_version(request), **form.cleaned_data)
        except ValidationFailed as exc:
            put_on_form(exc, form, aliases=ROLES_ON_FORM)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("parties:detail", pk=party.pk)
    return render(request, "parties/child_form.html", {"form": form, "party": party, "child": child, "title": title})


@login_required
@permission_required(CHANGE, raise_exception=True)
def address_form(request, pk: int, address_id: int | None = None):
    title = _("New address") if address_id is None else _("Edit address")
    return _child_form(
        request, pk, address_id, form_class=AddressForm, related="addresses",
        add=services.add_address, update=services.update_address, title=title,
    )  # fmt: skip


@login_required
@permission_required(CHANGE, raise_exception=True)
def contact_form(request, pk: int, contact_id: int | None = None):
    title = _("New contact") if contact_id is None else _("Edit contact")
    return _child_form(
        request, pk, contact_id, form_class=ContactForm, related="contacts",
        add=services.add_contact, update=services.update_contact, title=title,
    )  # fmt: skip


def _remove(request, pk: int, child_id: int, related: str, remove):
    party = _party(request, pk)
    if not any(c.pk == child_id for c in getattr(party, related).all()):
        raise Http404
    try:
        remove(child_id, actor=actor_of(request), version=_version(request))
        messages.success(request, _("Removed."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("parties:detail", pk=party.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def address_remove(request, pk: int, address_id: int):
    return _remove(request, pk, address_id, "addresses", services.remove_address)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def contact_remove(request, pk: int, contact_id: int):
    return _remove(request, pk, contact_id, "contacts", services.remove_contact)


# What the lookup views answer: a note beside the field, and what the page may put in the fields still empty
# (web/app.js), keyed by the fields' prefix on the page. Nothing is stored here.
ADDRESS_PREFIXES = ("", "address-")


def _prefix(value: str) -> str:
    return value if value in ADDRESS_PREFIXES else ""


def _place_fields(place: lookups.PlaceFound) -> dict:
    fields = {"postal_code": format_cep(place.postal_code) if place.postal_code else "", "street": place.street,
              "number": place.number, "complement": place.complement, "district": place.district}  # fmt: skip
    municipality = Municipality.objects.filter(code=place.municipality_code, is_active=True).first()
    if municipality is None and place.municipality_name:
        code = MunicipalityWidget().code_for(f"{place.municipality_name}/{place.uf}")
        municipality = Municipality.objects.filter(code=code).first() if code else None
    if municipality is not None:
        fields["municipality_id"] = {"code": municipality.code, "label": str(municipality)}
    return {name: value for name, value in fields.items() if value}


def _lookup_note(request, status: str, note: str = "", fill: dict | None = None):
    context = {"status": status, "note": note, "fill": json.dumps(fill) if fill else ""}
    return render(request, "parties/partials/lookup_note.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
def lookup_cep(request):
    prefix = _prefix(request.GET.get("prefix", ""))
    typed = request.GET.get(f"{prefix}postal_code", "")
    if len(normalize_cep(typed)) != 8:
        return _lookup_note(request, "")
    answer = lookups.find_cep(typed)
    if answer.status == lookups.FOUND:
        place = answer.found
        fields = _place_fields(place)
        fields.pop("postal_code", None)  # the user is typing it
        summary = ", ".join(v for v in (place.street, place.district, f"{place.municipality_name}/{place.uf}") if v)
        note = _("CEP found: %(place)s. Empty fields filled in; what you typed was kept.") % {"place": summary}
        return _lookup_note(request, answer.status, note, {prefix: fields})
    notes = {
        lookups.NOT_FOUND: _("This CEP is not in the lookup service; type the address."),
        lookups.UNAVAILABLE: _("The CEP lookup did not answer; type the address (saving does not depend on it)."),
    }
    return _lookup_note(request, answer.status, notes.get(answer.status, ""))


@login_required
@permission_required(CHANGE, raise_exception=True)
def lookup_cnpj(request):
    address_prefix = _prefix(request.GET.get("address_prefix", ""))
    typed = normalize_cnpj(request.GET.get("document", ""))
    if len(typed) != 14:  # a CPF or a CNPJ still being typed
        return _lookup_note(request, "")
    answer = lookups.find_cnpj(typed)
    if answer.status == lookups.FOUND:
        company = answer.found
        names = {"legal_name": company.legal_name, "trade_name": company.trade_name}
        fill = {"": {name: value for name, value in names.items() if value}}
        if company.place is not None and address_prefix:
            fill[address_prefix] = _place_fields(company.place)
        note = _("CNPJ found: %(name)s. Empty fields filled in; what you typed was kept.") % {
            "name": company.legal_name
        }
        return _lookup_note(request, answer.status, note, fill)
    notes = {
        lookups.NOT_FOUND: _("This CNPJ is not in the lookup service (or its check digits are wrong)."),
        lookups.UNAVAILABLE: _("The CNPJ lookup did not answer; type the data (saving does not depend on it)."),
    }
    return _lookup_note(request, answer.status, notes.get(answer.status, ""))
