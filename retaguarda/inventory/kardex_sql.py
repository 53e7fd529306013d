"""The kardex's statements, written by hand (docs/request-cost.md): built by the ORM, the kardex screen's
three queries (its page of moves, their count, the opening balance) cost more CPU to compile than the
database spent running them, and the opening's subqueries most of all.

Each text is built once per database vendor (`per_vendor`) and takes named parameters:
`company`, `product`, the scope's (`warehouse` and `internal`, or `internal` and `transit`), and what
each statement adds. The scope is the company's locations the kardex follows: a warehouse's stock
location, or every location the company owns (its warehouses and the goods in transit).
"""

from django.db import connection

from retaguarda.catalog.models import Product
from retaguarda.core.decimal_sql import ExactSql
from retaguarda.core.raw_rows import Columns, per_vendor
from retaguarda.inventory.models import StockMove

SCOPE = {
    "warehouse": "SELECT id FROM inventory_location WHERE company_id = %(company)s AND warehouse_id = %(warehouse)s "
    "AND kind = %(internal)s",
    "company": "SELECT id FROM inventory_location WHERE company_id = %(company)s AND kind IN (%(internal)s, %(transit)s)",
}


def opening_ctes(x: ExactSql, first: str, wanted: str = "") -> str:
    """`period`, `held` and `since`: the balance (`q`, `v`) before move `first` (an SQL expression) of
    `scope`, in one pass. The snapshot of the last closed period wholly before that move, plus the moves
    after the period's last move; without such a period, every move before it. A period qualifies
    when its moves are exactly those with id <= `last_move_id` (`ids_in_order`). `wanted` (a
    condition) skips the work when false."""
    into = "m.to_location_id IN (SELECT id FROM scope)"
    out_of = "m.from_location_id IN (SELECT id FROM scope)"
    incoming, outgoing = f"{into} AND NOT {out_of}", f"{out_of} AND NOT {into}"
    value = x.mul("m.quantity", "m.unit_cost")
    return f"""
        period AS (
            SELECT period_end, last_move_id FROM inventory_stockperiod
            WHERE company_id = %(company)s AND ids_in_order = %(in_order)s AND last_move_id < {first}{wanted}
            ORDER BY period_end DESC LIMIT 1),
        held AS (
            SELECT {x.sum("s.on_hand")} AS q, {x.sum("s.value")} AS v FROM inventory_stocksnapshot s
            WHERE s.company_id = %(company)s AND s.product_id = %(product)s
              AND s.period_end = (SELECT period_end FROM period) AND s.location_id IN (SELECT id FROM scope)),
        since AS (
            SELECT {x.sum(f"CASE WHEN {incoming} THEN m.quantity WHEN {outgoing} THEN {x.neg('m.quantity')} ELSE 0 END")} AS q,
                   {x.sum(f"CASE WHEN {incoming} THEN {value} WHEN {outgoing} THEN {x.neg(value)} ELSE 0 END")} AS v
            FROM inventory_stockmove m
            WHERE m.company_id = %(company)s AND m.product_id = %(product)s
              AND m.id > COALESCE((SELECT last_move_id FROM period), 0) AND m.id < {first}{wanted}
              AND ({into} OR {out_of}))"""


class OpeningSql:
    """The balance before a move (`first`), for the kardex's later pages through the API."""

    def __init__(self):
        x = ExactSql(connection.vendor)
        body = f"{opening_ctes(x, '%(first)s')} SELECT held.q, held.v, since.q, since.v FROM held, since"
        self.text = {kind: f"WITH scope AS ({scope}),{body}" for kind, scope in SCOPE.items()}
        self.read = x.read


opening_sql = per_vendor(OpeningSql)

# What a kardex screen shows of each move and of its two locations.
MOVE_FIELDS = ("created_at", "source_type", "source_id", "reason", "quantity", "unit_cost")
LOCATION_FIELDS = ("name", "kind", "warehouse_id")


class KardexWindowSql:
    """One page of the product's moves in the scope with what a screen shows of each (the lot's code, both
    locations' name, kind and warehouse), the moves counted up to `cap`, and the opening balance before
    the page's first move (when `wanted`), in one statement.

    The page holds up to `limit` + 1 moves after the move `after` (`forward`), or before the move `before`
    from the last (`backward`); `shown` of them are the page (`limit`), the one more says that another
    page follows. The opening is taken before the first shown (`rn` counts from the cursor)."""

    def __init__(self):
        x = ExactSql(connection.vendor)
        self.moves = Columns(StockMove, "m", MOVE_FIELDS)
        self.read = x.read
        in_scope = "(m.to_location_id IN (SELECT id FROM scope) OR m.from_location_id IN (SELECT id FROM scope))"
        location = ", ".join(f"{{a}}.{f}" for f in LOCATION_FIELDS)
        columns = f"{self.moves.sql}, lot.code, {location.format(a='fl')}, {location.format(a='tl')}"
        # A row's keys, as `values()` would name them (the moves' columns come in the model's order): the
        # building of 50 moves with their locations and lot as instances cost the page more than its queries.
        sides = tuple(f"{side}_location__{f}" for side in ("from", "to") for f in LOCATION_FIELDS)
        self.names = (*self.moves.attnames, "lot__code", *sides)
        counted = f"""SELECT COUNT(*) FROM (SELECT 1 FROM inventory_stockmove m
            WHERE m.company_id = %(company)s AND m.product_id = %(product)s AND {in_scope} LIMIT %(cap)s) counted"""
        self.text = {}
        for direction, (op, order) in {"forward": (">", "ASC"), "backward": ("<", "DESC")}.items():
            page = f"""
                taken AS (
                    SELECT {columns} FROM inventory_stockmove m
                    JOIN inventory_location fl ON fl.id = m.from_location_id
                    JOIN inventory_location tl ON tl.id = m.to_location_id
                    LEFT JOIN inventory_lot lot ON lot.id = m.lot_id
                    WHERE m.company_id = %(company)s AND m.product_id = %(product)s AND {in_scope}
                      AND m.id {op} %(from_id)s
                    ORDER BY m.id {order} LIMIT %(taken)s),
                page AS (SELECT taken.*, ROW_NUMBER() OVER (ORDER BY taken.id {order}) AS rn FROM taken),
                shown AS (SELECT MIN(id) AS id FROM page WHERE rn <= %(shown)s),"""
            body = opening_ctes(x, "(SELECT id FROM shown)", " AND %(wanted)s")
            select = f"""
                SELECT ({counted}) AS n, held.q, held.v, since.q, since.v, page.*
                FROM held CROSS JOIN since LEFT JOIN page ON 1 = 1 ORDER BY page.id"""
            for kind, scope in SCOPE.items():
                self.text[direction, kind] = f"WITH scope AS ({scope}),{page}{body}{select}"


window_sql = per_vendor(KardexWindowSql)


class HeaderSql:
    """The product a kardex is of (in the company) with its average cost and its stock: on hand and reserved
    in the company's warehouses, and in transit between them; one row, none for another company's."""

    def __init__(self):
        x = ExactSql(connection.vendor)
        self.product = Columns(Product, "p", ("company_id", "sku", "name", "is_variant_parent"))
        self.read = x.read

        def total(column: str, kind: str) -> str:
            return x.sum(f"CASE WHEN l.kind = %({kind})s THEN b.{column} ELSE 0 END")

        self.text = f"""
            SELECT {self.product.sql}, c.average_cost, s.on_hand, s.reserved, s.in_transit
            FROM catalog_product p
            LEFT JOIN inventory_productcost c ON c.product_id = p.id
            CROSS JOIN (
                SELECT {total("on_hand", "internal")} AS on_hand, {total("reserved", "internal")} AS reserved,
                       {total("on_hand", "transit")} AS in_transit
                FROM inventory_stockbalance b JOIN inventory_location l ON l.id = b.location_id
                WHERE b.product_id = %(product)s) s
            WHERE p.company_id = %(company)s AND p.id = %(product)s"""


header_sql = per_vendor(HeaderSql)
