"""The reads of every order a channel sends, written by hand (`core.raw_rows`): its channel with the
price list and warehouse, its customer and its products in one statement (`order_refs`); a customer by
CPF/CNPJ.

Through Django's SQL compiler each cost more CPU than in the database (docs/request-cost.md), and as
three statements the intake paid three round trips and three times the driver's work per statement. The
statements are built once per database vendor (SQLite's IN lists per call, from their lengths); their
rows come back as the same model instances the ORM would give, and every one is scoped to the company."""

import itertools

from django.db import connection

from retaguarda.catalog.models import PriceList, Product
from retaguarda.core.bulk_insert import array_params
from retaguarda.core.numbering import NUMBER_AND_ID
from retaguarda.core.outbox import Statement
from retaguarda.core.raw_rows import Columns, marks, per_vendor, prepared_cursor
from retaguarda.inventory.models import Location, LocationKind, Warehouse
from retaguarda.inventory.services import STOCK_LOCATION_FIELDS
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
        self.stock = Columns(Location, "sl", STOCK_LOCATION_FIELDS)
        self.party = Columns(Party, "p")
        self.product = Columns(Product, "pr", PRODUCT_FIELDS)
        party_from = f"SELECT {self.party.sql} FROM {qn(Party._meta.db_table)} p WHERE p.company_id = %s"
        self.party_by_document = f"{party_from} AND p.document = %s"
        # An order's channel (with its price list, warehouse and the warehouse's stock location, which the
        # confirmation's reservation would read otherwise), its customer and its products: one row per product
        # found (one with NULL products when none is), the channel's and customer's columns on each; on
        # PostgreSQL, when asked, the order's number and id first (taken once: a materialized CTE).
        columns = (
            f"{self.channel.sql}, {self.price_list.sql}, {self.warehouse.sql}, {self.stock.sql}, {self.party.sql}, "
            f"{self.product.sql}"
        )
        joins = (
            f"LEFT JOIN {qn(SalesChannel._meta.db_table)} ch ON ch.company_id = %s AND ch.id = %s "
            f"LEFT JOIN {qn(PriceList._meta.db_table)} pl ON pl.id = ch.price_list_id "
            f"LEFT JOIN {qn(Warehouse._meta.db_table)} w ON w.id = ch.warehouse_id "
            f"LEFT JOIN {qn(Location._meta.db_table)} sl ON sl.warehouse_id = ch.warehouse_id "
            f"AND sl.kind = '{LocationKind.INTERNAL.value}' AND sl.company_id = ch.company_id "
            f"LEFT JOIN {qn(Party._meta.db_table)} p ON p.company_id = %s AND p.id = %s AND p.is_customer "
            f"LEFT JOIN {qn(Product._meta.db_table)} pr ON pr.company_id = %s AND "
        )
        self.refs_head = f"SELECT {columns} FROM (SELECT 1 AS one) k {joins}"
        arrays = (
            "(pr.id = ANY(CAST(%s AS bigint[])) OR pr.sku = ANY(CAST(%s AS text[]))"
            " OR pr.gtin = ANY(CAST(%s AS text[])))"
        )
        self.refs_by_arrays = f"{self.refs_head}{arrays}"
        # PostgreSQL, with the order's number and id (and maybe the worker's wake-up, `refs_numbered`).
        self.numbered_tail = f"SELECT k.number, k.new_id, {columns} FROM k {joins}{arrays}"
        self.number_cte = f"k (number, new_id) AS MATERIALIZED (SELECT {NUMBER_AND_ID})"
        self.numbered: dict[str | None, str] = {}  # `refs_numbered`'s texts, by the wake-up's
        # Where each model's columns end in a row.
        self.ends = tuple(
            itertools.accumulate(
                len(c) for c in (self.channel, self.price_list, self.warehouse, self.stock, self.party)
            )
        )

    def refs_numbered(self, wake: Statement | None) -> str:
        """The statement with the order's number and id, and the worker's wake-up when given (a
        data-modifying WITH: it runs whatever the SELECT reads). Built once per wake-up text: building it
        on every intake was 2 % of the request's CPU."""
        key = wake.sql if wake is not None else None
        sql = self.numbered.get(key)
        if sql is None:
            ctes = f"{self.number_cte}, wake AS ({wake.sql})" if wake is not None else self.number_cte
            sql = self.numbered[key] = f"WITH {ctes} {self.numbered_tail}"
        return sql


_statements = per_vendor(_Statements)


def party_by_document(company_id: int, document: str) -> Party | None:
    """The company's party with this CPF/CNPJ (unmasked, upper case: one per company)."""
    st = _statements()
    with prepared_cursor() as cursor:  # the same text on every intake: planned once per connection
        cursor.execute(st.party_by_document, [company_id, document])
        row = cursor.fetchone()
    return st.party.build(row) if row is not None else None


def order_refs(
    company_id: int,
    channel_id: int,
    customer_id: int | None,
    ids: set[int],
    codes: set[str],
    numbering: list | None = None,
    wake: Statement | None = None,
) -> tuple[SalesChannel | None, Party | None, list[Product], tuple[int, int] | None, Location | None]:
    """What an order names, read in one query: the company's channel `channel_id` with its price list
    (None when it has none) and warehouse attached, and that warehouse's stock location (returned last;
    None when there is no channel, or no such location); its customer `customer_id` (a party that is a
    customer); its products with these ids, or whose SKU or GTIN is one of `codes`. None (or none) for
    what the company does not have. `numbering` (PostgreSQL: `core.numbering.number_and_id_params`):
    the new order's number and id are taken in the same round trip and returned last, else None; with
    them, `wake` (`core.outbox.wake_up_statement`) is written in that round trip too."""
    st = _statements()
    ids, codes = sorted(ids), sorted(codes)
    params = [company_id, channel_id, company_id, customer_id, company_id]
    if connection.vendor == "postgresql":
        # One text whatever the counts (arrays), so the server plans it once per connection.
        sql, cursor_of = (st.refs_numbered(wake) if numbering else st.refs_by_arrays), prepared_cursor
        id_list, code_list = array_params([ids, codes])
        woken = wake.params if numbering and wake is not None else []
        params = [*(numbering or ()), *woken, *params, id_list, code_list, code_list]
    elif numbering or wake:
        raise ValueError("an order's number, id and wake-up are taken with its references on PostgreSQL only")
    else:
        wanted = []
        if ids:
            wanted.append(f"pr.id IN ({marks(len(ids))})")
            params += ids
        if codes:
            wanted.append(f"pr.sku IN ({marks(len(codes))}) OR pr.gtin IN ({marks(len(codes))})")
            params += codes + codes
        sql, cursor_of = f"{st.refs_head}({' OR '.join(wanted) or '0 = 1'})", connection.cursor
    with cursor_of() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    numbered = None
    if numbering:
        numbered = rows[0][0], rows[0][1]
        rows = [row[2:] for row in rows]
    first = rows[0]
    a, b, c, d, e = st.ends
    channel = st.channel.build(first[:a]) if first[0] is not None else None
    if channel is not None:
        channel.price_list = st.price_list.build(first[a:b]) if first[a] is not None else None
        channel.warehouse = st.warehouse.build(first[b:c])
    stock = st.stock.build(first[c:d]) if first[c] is not None else None
    customer = st.party.build(first[d:e]) if first[d] is not None else None
    products = [st.product.build(row[e:]) for row in rows if row[e] is not None]
    return channel, customer, products, numbered, stock
