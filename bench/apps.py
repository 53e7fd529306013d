"""Which of the apps a scenario needs have landed in this tree (checked at run time)."""

import importlib


def _has(module: str, *names: str) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return all(hasattr(mod, n) for n in names)


def _table(model_path: str) -> bool:
    from django.apps import apps
    from django.db import connection

    try:
        model = apps.get_model(model_path)
    except LookupError:
        return False
    return model._meta.db_table in connection.introspection.table_names()


def parties_ready() -> bool:
    return _has("retaguarda.parties.services", "create_party") and _table("parties.Party")


def inventory_ready() -> bool:
    return _has("retaguarda.inventory.services", "post_moves") and _table("inventory.StockMove")


def finance_ready() -> bool:
    return _has("retaguarda.finance.services", "create_title") and _table("finance.FinancialEntry")


def sales_ready() -> bool:
    return _has("retaguarda.sales.services") and _table("sales.SalesOrder")
