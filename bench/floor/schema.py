"""The floor's own tables, created by the bench in the run's database."""

from decimal import Decimal

TABLES = ("bench_floor_reservation", "bench_floor_order_line", "bench_floor_order", "bench_floor_stock")


def create(connection) -> None:
    ident = "INTEGER PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    statements = [
        *(f"DROP TABLE IF EXISTS {t}" for t in TABLES),
        """CREATE TABLE bench_floor_stock (
            product_id BIGINT PRIMARY KEY,
            on_hand NUMERIC(18, 4) NOT NULL,
            reserved NUMERIC(18, 4) NOT NULL DEFAULT 0,
            CHECK (on_hand - reserved >= 0))""",
        f"""CREATE TABLE bench_floor_order (
            id {ident}, customer_id BIGINT NOT NULL, total NUMERIC(18, 2) NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
        f"""CREATE TABLE bench_floor_order_line (
            id {ident}, order_id BIGINT NOT NULL REFERENCES bench_floor_order (id), line INTEGER NOT NULL,
            product_id BIGINT NOT NULL REFERENCES bench_floor_stock (product_id),
            quantity NUMERIC(18, 4) NOT NULL, price NUMERIC(22, 10) NOT NULL, amount NUMERIC(18, 2) NOT NULL)""",
        "CREATE INDEX bench_floor_order_line_order ON bench_floor_order_line (order_id)",
        f"""CREATE TABLE bench_floor_reservation (
            id {ident}, product_id BIGINT NOT NULL REFERENCES bench_floor_stock (product_id),
            quantity NUMERIC(18, 4) NOT NULL, source_line INTEGER NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
    ]
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


def stock(connection, rows: dict[int, Decimal]) -> None:
    """Replace the floor's stock with `rows` (product id -> on hand)."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_floor_reservation")
        cur.execute("DELETE FROM bench_floor_order_line")
        cur.execute("DELETE FROM bench_floor_order")
        cur.execute("DELETE FROM bench_floor_stock")
        cur.executemany(
            "INSERT INTO bench_floor_stock (product_id, on_hand, reserved) VALUES (%s, %s, 0)", list(rows.items())
        )


def reserved(connection) -> dict[int, tuple[Decimal, Decimal]]:
    with connection.cursor() as cur:
        cur.execute("SELECT product_id, on_hand, reserved FROM bench_floor_stock")
        return {r[0]: (Decimal(r[1]), Decimal(r[2])) for r in cur.fetchall()}
