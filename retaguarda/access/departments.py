"""Departments are the roles: each grants a set of permissions `app.action`.

`*` grants everything; `app.*` every action of an app; `*.view` reading everywhere. Apps name
their permissions as `<app>.view` for reading and other verbs (`change`, `post`, `reserve`, ...)
for writing, so the read-only Contador role is simply `*.view`.
"""

from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
SALES = "sales"
PURCHASING = "purchasing"
STOCK = "stock"
LOGISTICS = "logistics"
FINANCE = "finance"
FISCAL = "fiscal"
ACCOUNTANT = "accountant"

DEPARTMENTS: dict[str, str] = {
    ADMIN: _("Administration"),
    SALES: _("Sales"),
    PURCHASING: _("Purchasing"),
    STOCK: _("Inventory"),
    LOGISTICS: _("Logistics"),
    FINANCE: _("Finance"),
    FISCAL: _("Tax"),
    ACCOUNTANT: _("Accountant"),
}

# Everyone signed in may read the reference tables and their own company.
# Everyone works the watch occurrences of their own departments (watch filters them by department).
COMMON = {"br_tables.view", "companies.view", "watch.view", "watch.change"}

GRANTS: dict[str, set[str]] = {
    ADMIN: {"*"},
    SALES: {"sales.*", "parties.view", "parties.change", "catalog.view", "inventory.view", "inventory.reserve"},
    PURCHASING: {"purchasing.*", "parties.*", "catalog.*", "inventory.view"},
    STOCK: {"inventory.*", "catalog.view", "catalog.change", "parties.view", "purchasing.view", "purchasing.request"},
    LOGISTICS: {"logistics.*", "inventory.view", "sales.view", "sales.ship", "parties.view"},
    FINANCE: {"finance.*", "payments.*", "parties.view", "sales.view", "purchasing.view", "insights.view"},
    FISCAL: {"fiscal.*", "catalog.*", "parties.view", "companies.change", "sales.view", "purchasing.view"},
    ACCOUNTANT: {"*.view"},
}


def grants(perm: str, granted: set[str]) -> bool:
    if perm in granted or "*" in granted:
        return True
    app, _sep, action = perm.partition(".")
    return f"{app}.*" in granted or (action == "view" and "*.view" in granted)


def permissions_of(department_codes: list[str] | set[str]) -> set[str]:
    granted = set(COMMON)
    for code in department_codes:
        granted |= GRANTS.get(code, set())
    return granted
