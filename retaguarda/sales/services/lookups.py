"""The reads of every order a channel sends, written by hand (`core.raw_rows`): its channel with the
price list and warehouse, its products, its customer.

Each ran through Django's SQL compiler on every intake and cost more CPU there than in the database
(docs/request-cost.md). The statements are built once per database vendor (the products' IN lists per
call, from their lengths); their rows come back as the same model instances the ORM would give, and
every one is scoped to the company."""

from django.db import connection

from retaguarda.catalog.models import PriceList, Product
from retaguarda.core.raw_rows import Columns, marks, per_vendor, prepared_cursor
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party
from retaguarda.sales.models import SalesChannel

# What taking an order reads of each product; inventory's reservation reads these too (`products=`).
PRODUCT_FIELDS = (
    "id",
    "company_id",
    "sku",
    "gtin",
    "name",
    "price",
    "parent_id",
    "product_type",
    "is_active",
    "is_variant_parent",
)


class _Statements:
    def __init__(self):
        qn = connection.ops.quote_name
        self.channel = Columns(SalesChannel, "ch")
        self.price_list = Columns(PriceList, "pl")
        self.warehouse = Columns(Warehouse, "w")
        self.channel_sql = (
            f"SELECT {self.channel.sql}, {self.price_list.sql}, {self.warehouse.sql} "
            f"FROM {qn(SalesChannel._meta.db_table)} ch "
            f"LEFT JOIN {qn(PriceList._meta.db_table)} pl ON pl.id = ch.price_list_id "
            f"INNER JOIN {qn(Warehouse._meta.db_table)} w ON w.id = ch.warehouse_id "
            "WHERE ch.company_id = %s AND ch.id = %s"
        )
        self.party = Columns(Party, "p")
        party_from = f"SELECT {self.party.sql} FROM {qn(Party._meta.db_table)} p WHERE p.company_id = %s"
        self.customer_by_id = f"{party_from} AND p.id = %s AND p.is_customer"
        self.party_by_document = f"{party_from} AND p.document = %s"
        self.product = Columns(Product, "pr", PRODUCT_FIELDS)
        self.product_from = f"SELECT {self.product.sql} FROM {qn(Product._meta.db_table)} pr WHERE pr.company_id = %s"
        self.products_by_arrays = (
            f"{self.product_from} AND (pr.id = ANY(CAST(%s AS bigint[])) OR pr.sku = ANY(CAST(%s AS text[]))"
            " OR pr.gtin = ANY(CAST(%s AS text[])))"
        )


_statements = per_vendor(_Statements)


def _one(sql: str, params: list):
    with prepared_cursor() as cursor:  # the same text on every intake: planned once per connection
        cursor.execute(sql, params)
        return cursor.fetchone()


def channel(company_id: int, channel_id: int) -> SalesChannel | None:
    """The company's channel with its price list (None when it has none) and warehouse attached."""
    st = _statements()
    row = _one(st.channel_sql, [company_id, channel_id])
    if row is None:
        return None
    a, b = len(st.channel), len(st.channel) + len(st.price_list)
    found = st.channel.build(row[:a])
    found.price_list = st.price_list.build(row[a:b]) if row[a] is not None else None
    found.warehouse = st.warehouse.build(row[b:])
    return found


def customer(company_id: int, party_id: int) -> Party | None:
    """The company's party `party_id` when it is a customer."""
    st = _statements()
    row = _one(st.customer_by_id, [company_id, party_id])
    return st.party.build(row) if row is not None else None


def party_by_document(company_id: int, document: str) -> Party | None:
    """The company's party with this CPF/CNPJ (unmasked, upper case: one per company)."""
    st = _statements()
    row = _one(st.party_by_document, [company_id, document])
    return st.party.build(row) if row is not None else None


def products(company_id: int, ids: set[int], codes: set[str]) -> list[Product]:
    """The company's products with these ids, or whose SKU or GTIN is one of `codes`: one query."""
    st = _statements()
    ids, codes = sorted(ids), sorted(codes)
    if not ids and not codes:
        return []
    if connection.vendor == "postgresql":
        # One text whatever the counts (arrays), so the server plans it once per connection.
        sql, params = st.products_by_arrays, [company_id, ids, codes, codes]
        cursor_of = prepared_cursor
    else:
        wanted, params = [], [company_id]
        if ids:
            wanted.append(f"pr.id IN ({marks(len(ids))})")
            params += ids
        if codes:
            wanted.append(f"pr.sku IN ({marks(len(codes))}) OR pr.gtin IN ({marks(len(codes))})")
            params += codes + codes
        sql, cursor_of = f"{st.product_from} AND ({' OR '.join(wanted)})", connection.cursor
    with cursor_of() as cursor:
        cursor.execute(sql, params)
        return [st.product.build(row) for row in cursor.fetchall()]
