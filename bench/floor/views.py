"""Hand-written SQL behind plain views: the least a request doing the same work can cost."""

import json
from decimal import Decimal

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt


class Shortfall(Exception):
    pass


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


def _lock_and_take(cur, wanted: dict[int, Decimal]) -> None:
    """Lock the stock rows in product order, then take each quantity if available.

    The CASTs matter on SQLite, where Django passes decimals as text and text never compares as a number.
    """
    ids = sorted(wanted)
    if connection.vendor == "postgresql":  # SQLite holds the write lock since BEGIN IMMEDIATE
        marks = ",".join(["%s"] * len(ids))
        cur.execute(
            f"SELECT product_id FROM bench_floor_stock WHERE product_id IN ({marks}) ORDER BY product_id FOR UPDATE",
            ids,
        )
        cur.fetchall()
    for product_id in ids:
        qty = wanted[product_id]
        cur.execute(
            "UPDATE bench_floor_stock SET reserved = reserved + CAST(%s AS NUMERIC) "
            "WHERE product_id = %s AND on_hand - reserved >= CAST(%s AS NUMERIC)",
            [qty, product_id, qty],
        )
        if cur.rowcount != 1:
            raise Shortfall(product_id)


@csrf_exempt
def order(request):
    """Insert an order and its lines, lock and update the stock rows: intake's SQL, nothing more."""
    data = json.loads(request.body)
    lines = [(int(x["product"]), Decimal(x["quantity"]), Decimal(x["price"])) for x in data["lines"]]
    total = sum((q * p).quantize(Decimal("0.01")) for _, q, p in lines)
    wanted: dict[int, Decimal] = {}
    for product_id, qty, _price in lines:
        wanted[product_id] = wanted.get(product_id, Decimal(0)) + qty
    try:
        with transaction.atomic(), connection.cursor() as cur:
            # Stock first: the lines' foreign keys then touch rows already locked, in a fixed order.
            _lock_and_take(cur, wanted)
            cur.execute(
                "INSERT INTO bench_floor_order (customer_id, total, created_at) VALUES (%s, %s, %s) RETURNING id",
                [int(data["customer"]), total, timezone.now()],
            )
            order_id = cur.fetchone()[0]
            cur.executemany(
                "INSERT INTO bench_floor_order_line (order_id, line, product_id, quantity, price, amount) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(order_id, n, p, q, pr, (q * pr).quantize(Decimal("0.01"))) for n, (p, q, pr) in enumerate(lines, 1)],
            )
    except Shortfall as exc:
        return JsonResponse({"code": "insufficient_stock", "product": exc.args[0]}, status=409)
    return JsonResponse({"id": order_id, "total": str(total)}, status=201)


@csrf_exempt
def reserve(request):
    """Lock one stock row, take the quantity if available, record the reservation."""
    data = json.loads(request.body)
    product_id, qty = int(data["product"]), Decimal(data["quantity"])
    try:
        with transaction.atomic(), connection.cursor() as cur:
            _lock_and_take(cur, {product_id: qty})
            cur.execute(
                "INSERT INTO bench_floor_reservation (product_id, quantity, source_line, created_at) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                [product_id, qty, int(data["source_line"]), timezone.now()],
            )
            reservation_id = cur.fetchone()[0]
    except Shortfall:
        return JsonResponse({"code": "insufficient_stock"}, status=409)
    return JsonResponse({"id": reservation_id}, status=201)
