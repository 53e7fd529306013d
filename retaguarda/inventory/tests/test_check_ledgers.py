import sys

import pytest
from django.core.management import call_command

from retaguarda.config import cli
from retaguarda.core import periodic
from retaguarda.inventory.models import StockBalance
from retaguarda.inventory.tasks import check_ledgers


def test_check_ledgers_passes_when_balances_match_the_moves(stock, product, warehouse):
    stock.receive(product, warehouse, "5")

    call_command("check_ledgers")  # no SystemExit

    assert check_ledgers.call() == 0


def test_check_ledgers_exits_1_on_drift(stock, product, warehouse):
    stock.receive(product, warehouse, "5")
    StockBalance.objects.filter(product=product).update(on_hand=7)  # a bug writing around the services

    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ledgers")

    assert exit_info.value.code == 1
    assert check_ledgers.call() == 2  # the balance, and the average-cost basis of the product


def test_the_check_runs_every_hour():
    assert periodic.REGISTRY[check_ledgers.module_path].every.total_seconds() == 3600


def test_the_documented_spelling_check_ledgers_runs_from_the_command_line(stock, product, warehouse, monkeypatch):
    stock.receive(product, warehouse, "5")
    StockBalance.objects.filter(product=product).update(on_hand=7)
    monkeypatch.setattr(sys, "argv", ["retaguarda", "check-ledgers"])

    with pytest.raises(SystemExit) as exit_info:
        cli.main()

    assert exit_info.value.code == 1
