import pytest
from django.db import DatabaseError, connection, transaction

from retaguarda.inventory.models import StockMove

from .conftest import D


def test_the_ledger_refuses_update_at_the_database_level(stock, product, warehouse):
    [move] = stock.receive(product, warehouse, "5")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE inventory_stockmove SET quantity = 50 WHERE id = %s", [move.pk])

    assert StockMove.objects.get(pk=move.pk).quantity == D(5)


def test_the_ledger_refuses_delete_at_the_database_level(stock, product, warehouse):
    [move] = stock.receive(product, warehouse, "5")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM inventory_stockmove WHERE id = %s", [move.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).delete()

    assert StockMove.objects.filter(pk=move.pk).exists()


def test_the_balance_check_refuses_available_below_zero_even_bypassing_the_services(stock, product, warehouse):
    from retaguarda.inventory.models import StockBalance

    stock.receive(product, warehouse, "5")

    with pytest.raises(DatabaseError), transaction.atomic():
        StockBalance.objects.filter(product=product).update(reserved=D(6))
    with pytest.raises(DatabaseError), transaction.atomic():
        StockBalance.objects.filter(product=product).update(reserved=D(-1))
