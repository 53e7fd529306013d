"""Catalog pages: products (list, form, detail, variations, kits), price lists, import and export."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retaguarda.catalog import forms, selectors, services, validation
from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.actor import actor_of
from retaguarda.core.decimals import typed_decimal
from retaguarda.core.errors import DomainError, NotFound, ValidationFailed
from retaguarda.core.pagination import requested_limit, screen_page
from retaguarda.core.problems import put_on_form

PAGE_SIZES = (25, 50, 100)
STOCK_PANEL = "inventory/partials/product_stock.html"
VIEW = "catalog.view"
CHANGE = "catalog.change"


def _company_id(request) -> int | None:
    return request.company.pk if request.company else None


def _every_problem(form) -> None:
    """The form refused some fields: the service's checks of the others too, so every problem shows at once."""
    data = validation.normalize(form.service_fields())
    for problem in validation.product_problems(data, validation.References()):
        if problem["field"] in form.fields and problem["field"] not in form.errors:
            form.add_error(problem["field"], problem["message"])


def _found(read, object_id: int, request):
    """A selector's row of the request's company; its NotFound becomes the page's 404."""
    try:
        return read(object_id, company_id=_company_id(request))
    except NotFound as exc:
        raise Http404 from exc


def _bool(value: str) -> bool | None:
    return {"active": True, "inactive": False}.get(value)


# --- products -----------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def product_list(request):
    params = request.GET
    filters = {
        "q": (params.get("q") or "").strip(),
        "type": params.get("type") or "",
        "status": params.get("status") or "active",
        "category": params.get("category") or "",
        "limit": requested_limit(request, PAGE_SIZES[1], sizes=PAGE_SIZES),
    }
    qs = selectors.products(
        company_id=_company_id(request),
        q=filters["q"],
        active=_bool(filters["status"]),
        product_type=filters["type"] if filters["type"] in ProductType.values else "",
        category=filters["category"],
    )
    context = {
        **screen_page(request, qs, ordering=("name", "id"), limit=filters["limit"]),
        "filters": filters,
        "types": ProductType.choices,
        "page_sizes": PAGE_SIZES,
    }
    if request.htmx:
        return render(request, "catalog/product_list.html#table", context)
    context["categories"] = selectors.categories(_company_id(request))
    return render(request, "catalog/product_list.html", context)


def _form_context(request, form, *, product=None, post=None, variant_problems=None) -> dict:
    post = post or {}
    attributes = [
        {"name": post.get(f"attr_name_{i}", ""), "values": post.get(f"attr_values_{i}", "")}
        for i in range(forms.ATTRIBUTE_ROWS)
    ]
    components = [
        {"sku": post.get(f"component_sku_{i}", ""), "quantity": post.get(f"component_qty_{i}", "")}
        for i in range(forms.COMPONENT_ROWS)
    ]
    context = {"form": form, "product": product, "attributes": attributes, "components": components}
    if post.get("variant_count"):
        context["variant_rows"] = _variant_rows(post, variant_problems or {})
    return context


def _variant_rows(post, problems: dict[int, dict[str, list[str]]]) -> list[dict]:
    rows = []
    for i, row in enumerate(forms.variants_from(post)):
        rows.append(
            {
                "index": i,
                "attributes": row["attributes"],
                "label": " / ".join(row["attributes"].values()),
                "sku": post.get(f"variant_{i}_sku", ""),
                "gtin": post.get(f"variant_{i}_gtin", ""),
                "price": post.get(f"variant_{i}_price", ""),
                "problems": problems.get(i, {}),
            }
        )
    return rows


VARIANT_CELLS = ("sku", "gtin", "price")


def _variant_problems(details) -> dict[int, dict[str, list[str]]]:
    """The problems of the variation rows (`variants.2.price`), by row and cell."""
    found: dict[int, dict[str, list[str]]] = {}
    for detail in details:
        kind, _dot, rest = (detail.get("field") or "").partition(".")
        index, _dot, cell = rest.partition(".")
        if kind == "variants" and index.isdigit():
            found.setdefault(int(index), {}).setdefault(cell, []).append(detail["message"])
    return found


def _rows_checked(post) -> list[dict]:
    """The variation rows' own cells checked as the service checks them, for a round in which the form
    refused the product itself (the service was not asked): every problem shows at once."""
    details = []
    for i, row in enumerate(forms.variants_from(post)):
        cells = validation.normalize({k: row[k] for k in VARIANT_CELLS if k in row})
        for problem in validation.product_problems(cells, validation.References()).items:
            details.append({"field": f"variants.{i}.{problem['field']}", "message": problem["message"]})
    return details


def _say_variant_problems(form, post, problems: dict[int, dict[str, list[str]]]) -> None:
    """Each row's problem above the form too, naming the row: "Variação P / Azul · preço: ..."."""
    for i, row in enumerate(forms.variants_from(post)):
        for cell, messages_ in problems.get(i, {}).items():
            label = str(Product._meta.get_field(cell).verbose_name) if cell in (*VARIANT_CELLS, "attributes") else cell
            variation = " / ".join(row["attributes"].values())
            for message in messages_:
                form.add_error(
                    None,
                    _("Variation %(row)s · %(cell)s: %(message)s")
                    % {"row": variation, "cell": label, "message": message},
                )


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_create(request):
    form = forms.ProductForm(request.POST or None)
    variant_problems = {}
    if request.method == "POST" and not form.is_valid():
        _every_problem(form)
        if forms.variations_from(request.POST):
            variant_problems = _variant_problems(_rows_checked(request.POST))
    elif request.method == "POST":
        data = form.service_fields()
        variations = forms.variations_from(request.POST)
        components = forms.components_from(request.POST) if data.get("product_type") == ProductType.KIT else None
        try:
            product = services.create_product(
                actor=actor_of(request),
                variations=variations,
                variants=forms.variants_from(request.POST) if variations else None,
                components=components or None,
                **data,
            )
        except ValidationFailed as exc:
            variant_problems = _variant_problems(exc.details)
            rest = [d for d in exc.details if not _variant_problems([d])]
            if rest or not variant_problems:
                shown = ValidationFailed(exc.message, details=rest) if variant_problems else exc
                put_on_form(shown, form, labels={"variants": _("Variation: "), "components": _("Component: ")})
        else:
            messages.success(request, _("Product %(product)s created.") % {"product": product})
            return redirect("catalog:product_detail", product.pk)
    _say_variant_problems(form, request.POST, variant_problems)
    context = _form_context(request, form, post=request.POST, variant_problems=variant_problems)
    return render(request, "catalog/product_form.html", context)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def variant_preview(request):
    """The variations editor: one editable row (SKU, GTIN, price) per combination of the attributes."""
    variations = forms.variations_from(request.POST) or {}
    sku = (request.POST.get("sku") or "").strip() or "SKU"
    price = request.POST.get("price") or ""
    combos = list(itertools.product(*variations.values()))[:400] if variations and all(variations.values()) else []
    rows = []
    for i, combo in enumerate(combos):
        attributes = dict(zip(variations, combo, strict=True))
        rows.append(
            {
                "index": i,
                "attributes": attributes,
                "label": " / ".join(combo),
                "sku": f"{sku}-{'-'.join(services.variant_code(v) for v in combo)}"[:60],
                "gtin": "",
                "price": price,
            }
        )
    return render(request, "catalog/partials/variant_rows.html", {"variant_rows": rows})


def _product_for_edit(request, product_id: int) -> Product:
    return get_object_or_404(Product, pk=product_id, company_id=_company_id(request))


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_edit(request, product_id: int):
    product = _product_for_edit(request, product_id)
    initial = {f: getattr(product, f) for f in services.EDITABLE if f not in ("ncm", "cest")}
    initial.update({"ncm": product.ncm_id, "cest": product.cest_id or ""})
    form = forms.ProductForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and not form.is_valid():
        _every_problem(form)
    elif request.method == "POST":
        version = request.POST.get("version")
        try:
            services.update_product(
                product.pk,
                actor=actor_of(request),
                version=int(version) if version and version.isdigit() else None,
                **form.service_fields(),
            )
        except DomainError as exc:
            put_on_form(exc, form)
        else:
            messages.success(request, _("Product saved."))
            return redirect("catalog:product_detail", product.pk)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@login_required
@permission_required(VIEW, raise_exception=True)
def product_detail(request, product_id: int):
    product = _found(selectors.product, product_id, request)
    context = {
        "product": product,
        "variants": list(product.variants.all()),
        "components": list(product.components.all()),
        "prices": selectors.prices_of(product),
        "component_rows": [{"sku": c.component.sku, "quantity": c.quantity} for c in product.components.all()]
        + [{"sku": "", "quantity": ""}] * max(0, forms.COMPONENT_ROWS - len(product.components.all())),
        "stock_template": _stock_template(),
    }
    return render(request, "catalog/product_detail.html", context)


def _stock_template() -> str:
    """The inventory app's stock panel when it is installed (looked up by name: no import upward)."""
    try:
        get_template(STOCK_PANEL)
    except TemplateDoesNotExist:
        return "catalog/partials/stock_placeholder.html"
    return STOCK_PANEL


def _action(request, product_id: int, run, success: str):
    try:
        run()
    except DomainError as exc:
        messages.error(request, "; ".join(d.get("message", "") for d in exc.details) or exc.message)
    else:
        messages.success(request, success)
    return redirect("catalog:product_detail", product_id)


def _version(request) -> int | None:
    value = request.POST.get("version") or ""
    return int(value) if value.isdigit() else None


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def product_set_active(request, product_id: int):
    product = _product_for_edit(request, product_id)
    activate = request.POST.get("active") == "1"
    service = services.activate_product if activate else services.deactivate_product
    message = _("Product activated.") if activate else _("Product deactivated.")
    return _action(
        request, product.pk, lambda: service(product.pk, actor=actor_of(request), version=_version(request)), message
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def variant_add(request, product_id: int):
    product = _product_for_edit(request, product_id)
    attributes = {name: request.POST.get(f"attr_{i}", "") for i, name in enumerate(product.attributes)}
    own = {k: request.POST.get(k, "").strip() for k in ("sku", "gtin") if request.POST.get(k, "").strip()}
    price = request.POST.get("price", "").strip()
    if price:
        try:
            own["price"] = typed_decimal(price)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("catalog:product_detail", product.pk)
    return _action(
        request,
        product.pk,
        lambda: services.add_variant(product.pk, actor=actor_of(request), attributes=attributes, **own),
        _("Variation added."),
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def variant_remove(request, product_id: int, variant_id: int):
    variant = get_object_or_404(Product, pk=variant_id, parent_id=product_id, company_id=_company_id(request))
    outcome = {}

    def run():
        outcome["result"] = services.remove_variant(variant.pk, actor=actor_of(request))

    response = _action(request, product_id, run, _("Variation removed."))
    if outcome.get("result") == "deactivated":
        messages.info(request, _("The variation is in use, so it was deactivated instead of deleted."))
    return response


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def kit_components(request, product_id: int):
    product = _product_for_edit(request, product_id)
    components = forms.components_from(request.POST)
    return _action(
        request,
        product.pk,
        lambda: services.set_kit_components(product.pk, components, actor=actor_of(request), version=_version(request)),
        _("Kit components saved."),
    )


# --- price lists --------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def pricelist_list(request):
    q = (request.GET.get("q") or "").strip()
    qs = selectors.price_lists(company_id=_company_id(request), q=q)
    context = {
        **screen_page(request, qs, ordering=("name", "id")),
        "q": q,
        "today": timezone.localdate(),
    }
    template = "catalog/pricelist_list.html#table" if request.htmx else "catalog/pricelist_list.html"
    return render(request, template, context)


def _item_rows(post=None, price_list=None) -> list[dict]:
    rows = []
    if post:
        count = int(post.get("item_count") or forms.ITEM_ROWS)
        for i in range(min(count, 500)):
            rows.append(
                {
                    "sku": post.get(f"item_sku_{i}", ""),
                    "kind": post.get(f"item_kind_{i}", "fixed"),
                    "value": post.get(f"item_value_{i}", ""),
                }
            )
    elif price_list is not None:
        for item in price_list.items.all():
            is_fixed = item.fixed_price is not None
            value = item.fixed_price if is_fixed else item.percentage
            rows.append(
                {
                    "sku": item.product.sku,
                    "kind": "fixed" if is_fixed else "percentage",
                    "value": str(value.normalize()).replace(".", ","),
                }
            )
    blank = max(3, forms.ITEM_ROWS - len(rows)) if not post else 0
    rows += [{"sku": "", "kind": "fixed", "value": ""} for _i in range(blank)]
    return rows


def _pricelist_form(request, price_list=None):
    initial = {}
    if price_list is not None:
        initial = {f: getattr(price_list, f) for f in services.PRICE_LIST_FIELDS}
    form = forms.PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        items, problems = forms.items_from(request.POST)
        for problem in problems:
            form.add_error(None, problem)
        if not problems:
            try:
                if price_list is None:
                    price_list = services.create_price_list(actor=actor_of(request), items=items, **form.cleaned_data)
                else:
                    services.update_price_list(
                        price_list.pk,
                        actor=actor_of(request),
                        version=_version(request),
                        items=items,
                        **form.cleaned_data,
                    )
            except DomainError as exc:
                put_on_form(exc, form, labels={"items": _("Item: ")})
            else:
                messages.success(request, _("Price list saved."))
                return redirect("catalog:pricelist_detail", price_list.pk)
    rows = _item_rows(request.POST if request.method == "POST" else None, price_list)
    return render(request, "catalog/pricelist_form.html", {"form": form, "price_list": price_list, "rows": rows})


@login_required
@permission_required(CHANGE, raise_exception=True)
def pricelist_create(request):
    return _pricelist_form(request)


@login_required
@permission_required(CHANGE, raise_exception=True)
def pricelist_edit(request, price_list_id: int):
    price_list = _found(selectors.price_list, price_list_id, request)
    return _pricelist_form(request, price_list)


@login_required
@permission_required(VIEW, raise_exception=True)
def pricelist_detail(request, price_list_id: int):
    price_list = _found(selectors.price_list, price_list_id, request)
    today = timezone.localdate()
    rows = [
        {"item": item, "product": item.product, "price": selectors.item_price(item, item.product.price)}
        for item in price_list.items.all()
    ]
    return render(
        request,
        "catalog/pricelist_detail.html",
        {"price_list": price_list, "rows": rows, "valid_today": price_list.is_valid_on(today)},
    )
