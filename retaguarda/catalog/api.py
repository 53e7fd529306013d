"""Products and price lists: `/api/v1/products`, `/api/v1/price-lists` (mounted at the API root)."""

import datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from retaguarda.catalog import selectors, services
from retaguarda.catalog.models import PriceList, Product
from retaguarda.core.actor import actor_of
from retaguarda.core.api import FilledText, Page, PageLimit, StrictSchema, VersionIn, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.api_numbers import Measure, PositiveQuantityIn

router = Router(tags=["catalog"])
VIEW = require("catalog.view")
CHANGE = require("catalog.change")


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    product_type: str
    gtin: str
    ncm: str
    cest: str | None
    origin: int
    unit: str
    tax_unit: str
    purchase_unit: str
    purchase_factor: Measure
    gross_weight: Measure
    net_weight: Measure
    height_cm: Measure
    width_cm: Measure
    length_cm: Measure
    cost: Measure
    price: Measure
    minimum_stock: Measure
    maximum_stock: Measure
    category: str
    is_active: bool
    is_variant_parent: bool
    parent_id: int | None
    attributes: dict[str, Any]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_ncm(obj):
        return obj.ncm_id

    @staticmethod
    def resolve_cest(obj):
        return obj.cest_id


class ComponentOut(Schema):
    product_id: int
    sku: str
    name: str
    quantity: Measure

    @staticmethod
    def resolve_product_id(obj):
        return obj.component_id

    @staticmethod
    def resolve_sku(obj):
        return obj.component.sku

    @staticmethod
    def resolve_name(obj):
        return obj.component.name


class ProductDetailOut(ProductOut):
    variants: list[ProductOut]
    components: list[ComponentOut]

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.all())

    @staticmethod
    def resolve_components(obj):
        return list(obj.components.all())


class VariantIn(StrictSchema):
    writes = (Product,)
    attributes: dict[str, str]
    sku: str | None = None
    gtin: str | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    name: str | None = None


class ComponentIn(StrictSchema):
    writes = (Product,)
    product_id: int | None = None
    sku: str | None = None
    quantity: PositiveQuantityIn


class ProductFields(StrictSchema):
    writes = (Product,)
    typed = frozenset({"ncm", "cest"})
    name: str | None = None
    description: str | None = None
    gtin: str | None = None
    ncm: str | None = None
    cest: str | None = None
    origin: int | None = None
    unit: str | None = None
    tax_unit: str | None = None
    purchase_unit: str | None = None
    purchase_factor: Decimal | None = None
    gross_weight: Decimal | None = None
    net_weight: Decimal | None = None
    height_cm: Decimal | None = None
    width_cm: Decimal | None = None
    length_cm: Decimal | None = None
    cost: Decimal | None = None
    price: Decimal | None = None
    minimum_stock: Decimal | None = None
    maximum_stock: Decimal | None = None
    category: str | None = None
    is_active: bool | None = None


class ProductIn(ProductFields):
    sku: str
    name: str
    ncm: str
    product_type: str = "goods"
    variations: dict[str, list[str]] | None = None
    variants: list[VariantIn] | None = None
    components: list[ComponentIn] | None = None


class ProductPatch(ProductFields):
    sku: str | None = None
    version: int


class ComponentsIn(StrictSchema):
    version: int
    components: list[ComponentIn]


class AddVariantIn(VariantIn):
    pass


def _fields(body: Schema, *, exclude: set[str] = frozenset()) -> dict:
    """The fields the client sent, without the nulls it sent for fields that cannot be empty."""
    data = body.dict(exclude_unset=True, exclude=set(exclude))
    return {k: v for k, v in data.items() if v is not None or k == "cest"}


def _company_id(request):
    return request.company.pk if request.company else None


def _detail(request, product_id: int):
    return selectors.product(product_id, company_id=_company_id(request))


def _version(body: VersionIn | None) -> int | None:
    """The version an optional body sends (commands without a body skip the stale check)."""
    return body.version if body else None


@router.get("/products", response=Page[ProductOut], auth=VIEW)
def list_products(
    request,
    q: str = "",
    sku: str = "",
    gtin: str = "",
    ncm: str = "",
    active: bool | None = None,
    type: str = "",
    category: str = "",
    variants: bool | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Filters: `q` (name, SKU or GTIN words), `sku`, `gtin`, `ncm` (prefix), `active`, `type`
    (goods, service, kit), `category`, `variants` (include variations; by default only when searching)."""
    qs = selectors.products(
        company_id=_company_id(request),
        q=q,
        sku=sku,
        gtin=gtin,
        ncm=ncm,
        active=active,
        product_type=type,
        category=category,
        include_variants=variants,
    )
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("name", "id"))


@router.post("/products", response={201: ProductDetailOut}, auth=CHANGE)
@idempotent
def create_product(request, body: ProductIn):
    """Create a product; `variations` generates one child per combination, `components` makes a kit."""
    data = _fields(body, exclude={"variations", "variants", "components"})
    product = services.create_product(
        actor=actor_of(request),
        variations=body.variations,
        variants=[v.dict(exclude_none=True) for v in body.variants] if body.variants else None,
        components=[c.dict(exclude_none=True) for c in body.components] if body.components else None,
        **data,
    )
    return Status(201, _detail(request, product.pk))


@router.get("/products/{product_id}", response=ProductDetailOut, auth=VIEW)
def get_product(request, product_id: int):
    return _detail(request, product_id)


@router.patch("/products/{product_id}", response=ProductDetailOut, auth=CHANGE)
def update_product(request, product_id: int, body: ProductPatch):
    """Change the fields sent; `version` is the one read (409 when someone saved in between)."""
    data = _fields(body, exclude={"version"})
    services.update_product(product_id, actor=actor_of(request), version=body.version, **data)
    return _detail(request, product_id)


@router.post("/products/{product_id}/deactivate", response=ProductDetailOut, auth=CHANGE)
def deactivate_product(request, product_id: int, body: VersionIn | None = None):
    services.deactivate_product(product_id, actor=actor_of(request), version=_version(body))
    return _detail(request, product_id)


@router.post("/products/{product_id}/activate", response=ProductDetailOut, auth=CHANGE)
def activate_product(request, product_id: int, body: VersionIn | None = None):
    services.activate_product(product_id, actor=actor_of(request), version=_version(body))
    return _detail(request, product_id)


@router.post("/products/{product_id}/variants", response={201: ProductOut}, auth=CHANGE)
@idempotent
def add_variant(request, product_id: int, body: AddVariantIn):
    """Add one variation: `attributes` gives a value for each of the parent's attributes."""
    own = body.dict(exclude_none=True, exclude={"attributes"})
    return Status(201, services.add_variant(product_id, actor=actor_of(request), attributes=body.attributes, **own))


@router.post("/products/{product_id}/variants/{variant_id}/remove", response=ProductDetailOut, auth=CHANGE)
def remove_variant(request, product_id: int, variant_id: int):
    """Delete a variation nothing refers to, or deactivate it when documents or stock do."""
    get_object_or_404(Product, pk=variant_id, parent_id=product_id, company_id=_company_id(request))
    services.remove_variant(variant_id, actor=actor_of(request))
    return _detail(request, product_id)


@router.put("/products/{product_id}/components", response=ProductDetailOut, auth=CHANGE)
def set_components(request, product_id: int, body: ComponentsIn):
    """Replace every component of a kit."""
    services.set_kit_components(
        product_id,
        [c.dict(exclude_none=True) for c in body.components],
        actor=actor_of(request),
        version=body.version,
    )
    return _detail(request, product_id)


# --- price lists --------------------------------------------------------------------------------------


class PriceListItemOut(Schema):
    product_id: int
    sku: str
    name: str
    fixed_price: Measure | None
    percentage: Measure | None

    @staticmethod
    def resolve_sku(obj):
        return obj.product.sku

    @staticmethod
    def resolve_name(obj):
        return obj.product.name


class PriceListOut(Schema):
    id: int
    name: str
    channel: str
    customer_group: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    is_active: bool
    notes: str
    version: int


class PriceListDetailOut(PriceListOut):
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class PriceListItemIn(StrictSchema):
    writes = (Product,)
    product_id: int | None = None
    sku: str | None = None
    fixed_price: Decimal | None = None
    percentage: Decimal | None = None


class PriceListFields(StrictSchema):
    writes = (PriceList,)
    channel: str | None = None
    customer_group: str | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    is_active: bool | None = None
    notes: str | None = None
    items: list[PriceListItemIn] | None = None


class PriceListIn(PriceListFields):
    name: FilledText


class PriceListPatch(PriceListFields):
    name: FilledText | None = None
    version: int


class PriceOut(Schema):
    product_id: int
    price_list_id: int
    date: datetime.date
    price: Measure


def _price_list_fields(body: Schema, exclude: set[str]) -> dict:
    data = body.dict(exclude_unset=True, exclude=exclude)
    nullable = {"valid_from", "valid_until"}
    return {
        k: ("" if v is None and k not in nullable else v) for k, v in data.items() if v is not None or k in nullable
    }


def _price_list(request, price_list_id: int):
    return selectors.price_list(price_list_id, company_id=_company_id(request))


def _items(body) -> list[dict] | None:
    if body.items is None:
        return None
    return [i.dict(exclude_none=True) for i in body.items]


@router.get("/price-lists", response=Page[PriceListOut], auth=VIEW)
def list_price_lists(
    request, q: str = "", active: bool | None = None, cursor: str | None = None, limit: PageLimit = 50
):
    qs = selectors.price_lists(company_id=_company_id(request), q=q, active=active)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("name", "id"))


@router.post("/price-lists", response={201: PriceListDetailOut}, auth=CHANGE)
@idempotent
def create_price_list(request, body: PriceListIn):
    """Items give each product a `fixed_price` or a `percentage` over its base price (negative for less)."""
    data = _price_list_fields(body, {"items"})
    price_list = services.create_price_list(actor=actor_of(request), items=_items(body), **data)
    return Status(201, _price_list(request, price_list.pk))


@router.get("/price-lists/{price_list_id}", response=PriceListDetailOut, auth=VIEW)
def get_price_list(request, price_list_id: int):
    return _price_list(request, price_list_id)


@router.patch("/price-lists/{price_list_id}", response=PriceListDetailOut, auth=CHANGE)
def update_price_list(request, price_list_id: int, body: PriceListPatch):
    """Change the fields sent; `items`, when sent, replaces every item."""
    data = _price_list_fields(body, {"items", "version"})
    services.update_price_list(price_list_id, actor=actor_of(request), version=body.version, items=_items(body), **data)
    return _price_list(request, price_list_id)


@router.post("/price-lists/{price_list_id}/deactivate", response=PriceListDetailOut, auth=CHANGE)
def deactivate_price_list(request, price_list_id: int, body: VersionIn | None = None):
    services.deactivate_price_list(price_list_id, actor=actor_of(request), version=_version(body))
    return _price_list(request, price_list_id)


@router.get("/price-lists/{price_list_id}/prices/{product_id}", response=PriceOut, auth=VIEW)
def price_in_list(request, price_list_id: int, product_id: int, date: datetime.date | None = None):
    """The price of a product in this list on `date` (today by default); the base price when not listed."""
    company_id = _company_id(request)
    price_list = get_object_or_404(PriceList, pk=price_list_id, company_id=company_id)
    product = get_object_or_404(Product, pk=product_id, company_id=company_id)
    day = date or timezone.localdate()
    return {
        "product_id": product.pk,
        "price_list_id": price_list.pk,
        "date": day,
        "price": selectors.price_for(product, price_list, day),
    }
