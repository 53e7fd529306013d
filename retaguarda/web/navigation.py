"""The department navigation: sections and links, each shown only to users allowed to open it.

Apps add their pages here as they land; a link whose URL name does not resolve is left out, so the
menu never shows a dead link.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from retaguarda.web.imports import may_import_or_export


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    perm: str
    visible: Callable[[object], bool] | None = None  # instead of `perm`, when one permission cannot say
    badge: str = ""  # URL name of a count fetched after the page loads (htmx), so it costs the page nothing


@dataclass(frozen=True)
class Section:
    label: str
    links: tuple[Link, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        _("Watch"),
        (
            Link(_("Occurrences"), "watch:inbox", "watch.view", badge="watch:badge"),
            Link(_("Routines"), "watch:routines", "watch.view"),
            Link(_("Rules"), "watch:rules", "watch.view"),
        ),
    ),
    Section(
        _("Master data"),
        (
            Link(_("Customers and suppliers"), "parties:list", "parties.view"),
            Link(_("Products"), "catalog:product_list", "catalog.view"),
            Link(_("Price lists"), "catalog:pricelist_list", "catalog.view"),
            Link(_("Import and export"), "web:import", "", visible=may_import_or_export),
        ),
    ),
    Section(
        _("Sales"),
        (
            Link(_("Sales orders"), "sales:orders", "sales.view"),
            Link(_("New order"), "sales:order_new", "sales.change"),
            Link(_("Quotes"), "sales:quotes", "sales.view"),
            Link(_("Sales goals"), "sales:goals", "sales.view"),
            Link(_("Commissions"), "sales:commissions", "sales.view"),
            Link(_("Salespeople"), "sales:salespeople", "sales.view"),
            Link(_("Sales channels"), "sales:channels", "sales.view"),
        ),
    ),
    Section(
        _("Inventory"),
        (
            Link(_("Balances"), "inventory:balances", "inventory.view"),
            Link(_("Stock moves"), "inventory:moves", "inventory.view"),
            Link(_("Transfers"), "inventory:transfers", "inventory.view"),
            Link(_("Stock counts"), "inventory:counts", "inventory.view"),
            Link(_("Warehouses"), "inventory:warehouses", "inventory.view"),
            Link(_("Below minimum"), "inventory:below_minimum", "inventory.view"),
            Link(_("Stock valuation"), "inventory:valuation", "inventory.view"),
        ),
    ),
    Section(
        _("Purchasing"),
        (
            Link(_("Purchase orders"), "purchasing:orders", "purchasing.view"),
            Link(_("Purchase requests"), "purchasing:requests", "purchasing.view"),
            Link(_("Receipts"), "purchasing:receipts", "purchasing.view"),
            Link(_("Import supplier NF-e"), "purchasing:nfe_imports", "purchasing.view"),
            Link(_("Reorder suggestions"), "purchasing:suggestions", "purchasing.view"),
            Link(_("Late suppliers"), "purchasing:late", "purchasing.view"),
            Link(_("Supplier performance"), "purchasing:performance", "purchasing.view"),
            Link(_("Entry CFOP"), "purchasing:cfop_map", "purchasing.view"),
        ),
    ),
    Section(
        _("Finance"),
        (
            Link(_("Overview"), "finance:home", "finance.view"),
            Link(_("Receivables"), "finance:titles", "finance.view"),
            Link(_("Payables"), "finance:payables", "finance.view"),
            Link(_("Bank accounts and cash"), "finance:accounts", "finance.view"),
            Link(_("Reconciliation"), "finance:reconciliation", "finance.view"),
            Link(_("Cash flow"), "finance:cashflow", "finance.view"),
            Link(_("Income statement (DRE)"), "finance:dre", "finance.view"),
            Link(_("Aging"), "finance:aging", "finance.view"),
            Link(_("Collections"), "finance:collections", "finance.view"),
            Link(_("Recurring bills"), "finance:recurring", "finance.view"),
            Link(_("Transfers"), "finance:transfers", "finance.view"),
            Link(_("Chart of categories"), "finance:categories", "finance.view"),
        ),
    ),
    Section(
        _("Tax"),
        (
            Link(_("Fiscal documents"), "fiscal:documents", "fiscal.view"),
            Link(_("Tax rules"), "fiscal:tax_rules", "fiscal.view"),
            Link(_("Fiscal operations"), "fiscal:operations", "fiscal.view"),
            Link(_("Fiscal settings"), "fiscal:settings", "fiscal.view"),
            Link(_("XML archive"), "fiscal:export", "fiscal.view"),
        ),
    ),
    Section(
        _("Administration"),
        (
            # Everyone may read their company and the accountant every list, but these pages are for
            # managing: only those who may change companies or users find them in the menu.
            Link(_("Companies"), "companies:list", "companies.change"),
            Link(_("Users"), "access:users", "access.change"),
            Link(_("Audit log"), "web:audit_log", "audit.view"),
            Link(_("Event deliveries"), "web:outbox", "outbox.view"),
        ),
    ),
    Section(
        _("My account"),
        (
            Link(_("API tokens"), "access:tokens", ""),
            Link(_("Change password"), "access:password_change", ""),
            Link(_("API documentation"), "api-1.0.0:openapi-view", ""),
        ),
    ),
)


# The links' addresses, reversed once per process (per URL conf and script prefix): the menu is on every page.
_urls: dict[tuple, str | None] = {}


def _url(url_name: str, where: tuple | None = None) -> str | None:
    """`url_name` reversed; `where` is `_where()` when the caller looks up many (each part is a lookup)."""
    key = (*(where or _where()), url_name)
    if key not in _urls:
        try:
            _urls[key] = reverse(url_name)
        except NoReverseMatch:
            _urls[key] = None
    return _urls[key]


def _where() -> tuple:
    return get_urlconf(), get_script_prefix()


def _shown(user, current_path: str) -> tuple[tuple[int, int, str, bool], ...]:
    """The links `user` may open, as (section, link, url, current) by their places in `SECTIONS`."""
    shown, allowed, where = [], {}, _where()  # a dozen permissions for fifty links: each asked once
    for i, section in enumerate(SECTIONS):
        for j, link in enumerate(section.links):
            if link.perm and link.perm not in allowed:
                allowed[link.perm] = user.has_perm(link.perm)
            if link.perm and not allowed[link.perm]:
                continue
            if link.visible is not None and not link.visible(user):
                continue
            url = _url(link.url_name, where)
            if url is not None:
                shown.append((i, j, url, current_path.startswith(url) and url != "/"))
    # One item is current: the longest link the page's address starts with (/estoque/movimentacoes/
    # is Movimentações, not also Saldos at /estoque/).
    current = max((entry for entry in shown if entry[3]), key=lambda entry: len(entry[2]), default=None)
    return tuple((*entry[:3], entry is current) for entry in shown)


def menu_for(user, current_path: str = "") -> list[dict]:
    return _sections(_shown(user, current_path))


def _sections(shown) -> list[dict]:
    sections: dict[int, dict] = {}
    for i, j, url, active in shown:
        section, link = SECTIONS[i], SECTIONS[i].links[j]
        entry = sections.setdefault(i, {"label": section.label, "links": []})
        entry["links"].append(
            {"label": link.label, "url": url, "active": active, "badge_url": _url(link.badge) if link.badge else ""}
        )
    return list(sections.values())


# The menu as HTML, rendered once for each different menu (its links, the current one, the language) and
# kept: rendering its fifty links was a third of an empty page's time. Bounded: emptied when full.
_sidebars: dict[tuple, str] = {}
SIDEBARS_KEPT = 256


def sidebar(user, current_path: str = "") -> str:
    shown = _shown(user, current_path)
    key = (get_language(), shown)
    found = _sidebars.get(key)
    if found is None:
        if len(_sidebars) >= SIDEBARS_KEPT:
            _sidebars.clear()
        found = _sidebars[key] = render_to_string("web/partials/sidebar.html", {"menu": _sections(shown)})
    return found
