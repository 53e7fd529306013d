"""Customers, suppliers and carriers in and out of spreadsheets (`retaguarda import|export parties`).

One row per party, matched by CPF/CNPJ: a new document registers the party, a known one changes
only the cells that are filled in. The address columns are the party's billing address; the
municipality is found by its IBGE code (`codigo_municipio`) or by name and UF (`municipio`, `uf`).
Every row is checked with the same rules as the registration form before anything is saved.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retaguarda.br_tables.models import Municipality
from retaguarda.core import tabular
from retaguarda.core.tabular import Column, Exporter, Importer, Row
from retaguarda.core.text import fold
from retaguarda.core.validators import format_cep, format_document, normalize_cnpj
from retaguarda.parties import selectors, services
from retaguarda.parties.models import Party, PartyKind

_KINDS = {
    "pf": PartyKind.INDIVIDUAL,
    "fisica": PartyKind.INDIVIDUAL,
    "pessoa fisica": PartyKind.INDIVIDUAL,
    "individual": PartyKind.INDIVIDUAL,
    "pj": PartyKind.COMPANY,
    "juridica": PartyKind.COMPANY,
    "pessoa juridica": PartyKind.COMPANY,
    "company": PartyKind.COMPANY,
    "f": PartyKind.INDIVIDUAL,  # Tiny and Bling write F / J
    "j": PartyKind.COMPANY,
}
_KIND_NAMES = {PartyKind.INDIVIDUAL: "PF", PartyKind.COMPANY: "PJ"}


def parse_kind(value: str) -> str:
    found = _KINDS.get(fold(value))
    if found is None:
        raise ValueError(_("Unknown person type %(value)s: use PF or PJ.") % {"value": value})
    return found


_ROLE_WORDS = {"cliente": "is_customer", "fornecedor": "is_supplier", "transportador": "is_carrier"}


def parse_contact_roles(value: str) -> dict[str, bool]:
    """Bling's and Tiny's "Tipo de contato" (`Cliente, Fornecedor`): the roles named; others are ignored."""
    words = {fold(w).strip().removesuffix("a").removesuffix("es") for w in re.split(r"[,;|/]", value)}
    roles = {field: any(w.startswith(word) for w in words) for word, field in _ROLE_WORDS.items()}
    if not any(roles.values()):
        raise ValueError(_("Use Cliente, Fornecedor or Transportadora: %(value)s.") % {"value": value})
    return roles


def parse_ie_indicator(value: str) -> int:
    head = value.strip().split(" ")[0].split("-")[0]
    if head not in ("1", "2", "9"):
        raise ValueError(_("The IE indicator is 1 (taxpayer), 2 (exempt) or 9 (not a taxpayer)."))
    return int(head)


def parse_document(value: str) -> str:
    return normalize_cnpj(value)


# column name -> service field of the party
PARTY_COLUMNS = {
    "documento": "document",
    "tipo_pessoa": "kind",
    "nome": "legal_name",
    "nome_fantasia": "trade_name",
    "cliente": "is_customer",
    "fornecedor": "is_supplier",
    "transportadora": "is_carrier",
    "indicador_ie": "ie_indicator",
    "inscricao_estadual": "state_registration",
    "inscricao_municipal": "municipal_registration",
    "email": "email",
    "telefone": "phone",
    "limite_credito": "credit_limit",
    "prazo_pagamento": "payment_terms",
    "prazo_entrega_dias": "lead_time_days",
    "observacoes": "notes",
    "ativo": "is_active",
}
# column name -> service field of the billing address
ADDRESS_COLUMNS = {
    "cep": "postal_code",
    "logradouro": "street",
    "numero": "number",
    "complemento": "complement",
    "bairro": "district",
    "codigo_municipio": "municipality_id",
}
COLUMN_OF = {field: column for column, field in PARTY_COLUMNS.items()}
COLUMN_OF.update({f"addresses[0].{field}": column for column, field in ADDRESS_COLUMNS.items()})
COLUMN_OF["roles"] = "cliente"

_bool = tabular.parse_bool
COLUMNS = (
    Column("documento", required=True, parser=parse_document, aliases=("cpf_cnpj", "cnpj_cpf", "cnpj", "cpf")),
    Column("tipo_pessoa", parser=parse_kind, aliases=("tipo", "pessoa")),
    Column("nome", aliases=("razao_social", "nome_razao_social", "nome_completo")),
    Column("nome_fantasia", aliases=("fantasia", "apelido")),
    Column("tipo_contato", parser=parse_contact_roles, aliases=("tipo_de_contato", "tipos_de_contato")),
    Column("cliente", parser=_bool),
    Column("fornecedor", parser=_bool),
    Column("transportadora", parser=_bool),
    Column("indicador_ie", parser=parse_ie_indicator, aliases=("ind_ie", "ind_ie_dest", "indiedest")),
    Column("inscricao_estadual", aliases=("ie", "ie_rg")),
    Column("inscricao_municipal", aliases=("im",)),
    Column("email", aliases=("e_mail",)),
    Column("telefone", aliases=("fone",)),
    Column("celular", aliases=("telefone_celular",)),  # the phone when the file has no other
    Column("limite_credito", parser=tabular.parse_decimal, aliases=("limite_de_credito",)),
    Column("prazo_pagamento", aliases=("condicao_pagamento", "condicao_de_pagamento", "prazos")),
    Column("prazo_entrega_dias", parser=tabular.parse_integer, aliases=("prazo_entrega", "lead_time")),
    Column("observacoes", aliases=("obs",)),
    Column("ativo", parser=_bool, aliases=("situacao",)),
    Column("cep"),
    Column("logradouro", aliases=("endereco", "rua")),
    Column("numero", aliases=("num", "nro")),
    Column("complemento"),
    Column("bairro"),
    Column("codigo_municipio", aliases=("codigo_ibge", "ibge", "cod_municipio", "cmun")),
    Column("municipio", aliases=("cidade",)),
    Column("uf", parser=tabular.parse_upper, aliases=("estado",)),
)


# Columns read from other systems' files, never written: roles go out as cliente, fornecedor...; the
# phone as telefone.
READ_ONLY = ("tipo_contato", "celular")


class PartyImporter(Importer):
    name = "parties"
    label = gettext_lazy("Customers and suppliers")
    permission = "parties.change"
    list_url = "parties:list"
    columns = COLUMNS
    batch_size = 500

    def prepare(self, rows: list[Row]) -> None:
        documents = sorted({r["documento"] for r in rows if r["documento"]})
        self.existing: dict[str, Party] = {}
        for start in range(0, len(documents), 500):
            chunk = documents[start : start + 500]
            qs = selectors.with_details(Party.objects.filter(company_id=self.company_id, document__in=chunk))
            self.existing.update({p.document: p for p in qs})
        self.municipalities = Municipality.objects.in_bulk()
        self.by_name = {(m.search_name, m.uf): m.code for m in self.municipalities.values()}

    def _party_fields(self, row: Row, *, new: bool = False) -> dict:
        fields = {field: row[column] for column, field in PARTY_COLUMNS.items() if row[column] is not None}
        if not fields.get("phone") and row["celular"]:
            fields["phone"] = row["celular"]
        for field, named in (row["tipo_contato"] or {}).items():
            fields.setdefault(field, named)
        if len(str(fields.get("document") or "")) == 11 and row.has("inscricao_estadual"):
            fields.pop("state_registration", None)  # an individual's "IE / RG" cell holds the RG
        if new:
            # A file that says nothing of roles (a contacts export) registers customers.
            says_roles = any(row.has(c) for c in ("cliente", "fornecedor", "transportadora", "tipo_contato"))
            fields.setdefault("is_customer", not says_roles)
        return fields

    def _address(self, row: Row, existing: Party | None) -> dict | None:
        """The billing address as the row gives it, over the party's current one; None when untouched."""
        given = {field: row[column] for column, field in ADDRESS_COLUMNS.items() if row[column] is not None}
        if not given.get("municipality_id") and row["municipio"]:
            code = self.by_name.get((fold(row["municipio"]), (row["uf"] or "").upper()))
            given["municipality_id"] = code or ""
            if code is None:
                message = _("Municipality %(name)s/%(uf)s not found in the IBGE table.")
                row.error("municipio", message % {"name": row["municipio"], "uf": row["uf"] or "?"})
        if not given:
            return None
        current = selectors.billing_address(existing) if existing is not None else None
        if current is not None:
            base = {field: getattr(current, field) for field in ADDRESS_COLUMNS.values()}
            base.update(given)
            given = base
        given["is_billing"] = True
        return given

    def check(self, row: Row) -> None:
        existing = self.existing.get(row["documento"])
        fields = self._party_fields(row, new=existing is None)
        if existing is None and not row["nome"]:
            row.error("nome", _("Required for a new registration."))
        address = self._address(row, existing)
        problems = services.party_problems(
            fields,
            company_id=self.company_id,
            addresses=[address] if address else [],
            existing=existing,
            municipalities=self.municipalities,
        )
        for problem in problems:
            column = COLUMN_OF.get(problem["field"] or "", "")
            if column == "nome" and not row["nome"] and existing is None:
                continue  # already said
            row.error(column, problem["message"])

    def check_all(self, rows: list[Row]) -> None:
        first: dict[str, int] = {}
        for row in rows:
            document = row["documento"]
            if not document:
                continue
            if document in first:
                row.error(
                    "documento",
                    _("CPF/CNPJ %(document)s repeats row %(row)d.") % {"document": document, "row": first[document]},
                )
            else:
                first[document] = row.number

    def save(self, rows: list[Row]) -> int:
        for row in rows:
            existing = self.existing.get(row["documento"])
            fields = self._party_fields(row, new=existing is None)
            address = self._address(row, existing)
            if existing is None:
                party = services.create_party(
                    actor=self.actor, company_id=self.company_id, addresses=[address] if address else [], **fields
                )
                self.existing[party.document] = party
                continue
            fields.pop("document", None)
            if fields:
                services.update_party(existing.pk, actor=self.actor, version=None, **fields)
            if address:
                current = selectors.billing_address(existing)
                if current is None:
                    services.add_address(existing.pk, actor=self.actor, **address)
                else:
                    services.update_address(current.pk, actor=self.actor, **address)
        return len(rows)


class PartyExporter(Exporter):
    name = "parties"
    label = gettext_lazy("Customers and suppliers")
    permission = "parties.view"
    headers = [c.name for c in COLUMNS if c.name not in READ_ONLY]

    def rows(self):
        qs = selectors.with_details(Party.objects.filter(company_id=self.company_id)).order_by("legal_name", "id")
        for p in qs.iterator(chunk_size=1000):
            a = selectors.billing_address(p)
            yield [
                format_document(p.document),
                _KIND_NAMES[p.kind],
                p.legal_name,
                p.trade_name,
                p.is_customer,
                p.is_supplier,
                p.is_carrier,
                p.ie_indicator,
                p.state_registration,
                p.municipal_registration,
                p.email,
                p.phone,
                p.credit_limit,
                p.payment_terms,
                p.lead_time_days,
                p.notes,
                p.is_active,
                format_cep(a.postal_code) if a else "",
                a.street if a else "",
                a.number if a else "",
                a.complement if a else "",
                a.district if a else "",
                a.municipality_id if a else "",
                a.municipality.name if a else "",
                a.uf if a else "",
            ]


tabular.register_importer(PartyImporter)
tabular.register_exporter(PartyExporter)
