"""The department navigation: sections and links, each shown only to users allowed to open it.

Apps add their pages here as they land; a link whose URL name does not resolve is left out, so the
menu never shows a dead link.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    perm: str


@dataclass(frozen=True)
class Section:
    label: str
    links: tuple[Link, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        _("Cadastros"),
        (
            Link(_("Clientes e fornecedores"), "parties:list", "parties.view"),
            Link(_("Produtos"), "catalog:product_list", "catalog.view"),
            Link(_("Tabelas de preço"), "catalog:pricelist_list", "catalog.view"),
            Link(_("Importar e exportar"), "catalog:import", "catalog.change"),
        ),
    ),
    Section(
        _("Estoque"),
        (
            Link(_("Saldos"), "inventory:balances", "inventory.view"),
            Link(_("Movimentações"), "inventory:moves", "inventory.view"),
            Link(_("Transferências"), "inventory:transfers", "inventory.view"),
            Link(_("Balanços"), "inventory:counts", "inventory.view"),
            Link(_("Depósitos"), "inventory:warehouses", "inventory.view"),
            Link(_("Abaixo do mínimo"), "inventory:below_minimum", "inventory.view"),
            Link(_("Valorização"), "inventory:valuation", "inventory.view"),
        ),
    ),
    Section(
        _("Administração"),
        (
            Link(_("Empresas"), "companies:list", "companies.view"),
            Link(_("Usuários"), "access:users", "access.view"),
            Link(_("Auditoria"), "web:audit_log", "audit.view"),
        ),
    ),
    Section(
        _("Minha conta"),
        (
            Link(_("Tokens de API"), "access:tokens", ""),
            Link(_("Trocar senha"), "access:password_change", ""),
            Link(_("Documentação da API"), "api-1.0.0:openapi-view", ""),
        ),
    ),
)


def menu_for(user, current_path: str = "") -> list[dict]:
    sections = []
    for section in SECTIONS:
        links = []
        for link in section.links:
            if link.perm and not user.has_perm(link.perm):
                continue
            try:
                url = reverse(link.url_name)
            except NoReverseMatch:
                continue
            links.append({"label": link.label, "url": url, "active": current_path.startswith(url) and url != "/"})
        if links:
            sections.append({"label": section.label, "links": links})
    return sections
