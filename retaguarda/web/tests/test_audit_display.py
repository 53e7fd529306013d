"""The audit log and the party's history read as Portuguese: labels, choices, names, money, lists."""

from decimal import Decimal

from retaguarda.catalog import services as catalog
from retaguarda.core import audit
from retaguarda.core.audit_display import readable
from retaguarda.core.models import AuditRecord
from retaguarda.core.validators import complete_cnpj
from retaguarda.parties import services as parties

ADDRESS = {
    "postal_code": "13015-904",
    "street": "Rua Barão de Jaguara",
    "number": "1200",
    "district": "Centro",
    "municipality_id": "3509502",  # Campinas/SP
}


def _party(actor, **fields):
    data = {
        "kind": "company",
        "document": complete_cnpj("123456780001"),
        "legal_name": "Comercial Teste Ltda",
        "is_customer": True,
        "credit_limit": Decimal("1500"),
        "addresses": [dict(ADDRESS)],
    }
    return parties.create_party(actor=actor, **{**data, **fields})


def _rows(record) -> dict[str, tuple[str, str]]:
    (shown,) = readable([record])
    return {c.label: (c.old, c.new) for c in shown.changes}


def test_a_new_party_reads_with_labels_choices_names_and_money(actor):
    party = _party(actor)
    record = AuditRecord.objects.filter(object_type="parties.party", object_id=str(party.pk)).earliest("id")

    rows = _rows(record)

    assert rows["Tipo de pessoa"] == ("—", "Pessoa jurídica (CNPJ)")
    assert rows["CPF/CNPJ"][1] == party.document_formatted
    assert rows["Cliente"] == ("—", "Sim")
    assert rows["Limite de crédito"] == ("—", "R$\u00a01.500,00")
    assert not [label for label in rows if "company" in label.lower() or "_" in label]
    text = repr(rows)
    assert "True" not in text and "company" not in text


def test_a_change_reads_with_the_municipality_by_name_and_states_by_label(actor):
    party = _party(actor)
    (address,) = party.addresses.all()
    parties.update_address(
        address.pk, actor=actor, version=party.version, municipality_id="3550308", postal_code="01001-000"
    )
    record = AuditRecord.objects.filter(object_type="parties.party", object_id=str(party.pk)).latest("id")

    rows = _rows(record)

    label = next(label for label in rows if label.endswith("município"))
    assert label == "Endereço · município"  # one address in the change: its row number says nothing
    assert rows[label] == ("Campinas/SP", "São Paulo/SP")
    assert rows[label.replace("município", "CEP")] == ("13015-904", "01001-000")


def test_a_change_to_two_children_of_a_kind_numbers_them(actor, company):
    changes = {"address#7.number": ["1", "2"], "address#9.number": ["3", "4"]}
    record = audit.record(actor, _party(actor), "updated", changes)

    assert set(_rows(record)) == {"Endereço 7 · número", "Endereço 9 · número"}


def test_values_without_a_field_read_as_lists_and_words(actor, company):
    record = audit.record(actor, company, "updated", {"items": [[], ["A", "B"]], "flag": [False, True]})

    rows = _rows(record)

    assert rows["Items"] == ("—", "A, B")
    assert rows["Flag"] == ("Não", "Sim")


def test_prices_and_quantities_lose_their_meaningless_zeros(actor):
    product = catalog.create_product(
        actor=actor, sku="P-1", name="Pote", ncm="39241000", price=Decimal("105.9"), cost=Decimal("48")
    )
    record = AuditRecord.objects.filter(object_type="catalog.product", object_id=str(product.pk)).earliest("id")

    rows = _rows(record)

    assert rows["Preço de venda"][1] == "105,90"
    assert rows["Custo"][1] == "48"
    assert rows["NCM"][1] == "3924.10.00"
    assert rows["Tipo"][1] == "Mercadoria"


def test_the_audit_log_collapses_changes_to_a_summary_and_names_the_record(web, actor):
    _party(actor)

    html = web.get("/auditoria/", {"object": "parties.party"}).content.decode()

    assert "<summary>" in html and "Tipo de pessoa" in html
    assert "Cadastro" in html
    assert "is_customer" not in html and "company_id" not in html and "parties.party:" not in html
    assert f"{AuditRecord.objects.filter(object_type='parties.party').count()} registros" in html


def test_the_audit_log_pages_both_ways_with_a_total(web, actor, company):
    for i in range(120):
        audit.record(actor, company, "updated", {"trade_name": [str(i), str(i + 1)]})
    total = AuditRecord.objects.filter(company=company).count()

    first = web.get("/auditoria/").content.decode()
    assert f"{total} registros" in first and "Página anterior" not in first
    next_url = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = web.get("/auditoria/" + next_url).content.decode()
    assert "Página anterior" in second
    back_url = second.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    again = web.get("/auditoria/" + back_url).content.decode()
    assert again.count("<tr>") == first.count("<tr>")
    assert "Página anterior" not in again


def test_a_document_s_state_reads_as_its_situation_not_as_a_federal_state():
    """One msgid, one meaning: the address's UF had taken "state" over, for every document's history."""
    from retaguarda.inventory.models import StockCount
    from retaguarda.parties.models import PartyAddress
    from retaguarda.sales.models import SalesOrder

    assert str(StockCount._meta.get_field("state").verbose_name) == "situação"
    assert str(SalesOrder._meta.get_field("state").verbose_name) == "situação"
    assert str(PartyAddress._meta.get_field("uf").verbose_name) == "UF"


def test_every_model_field_reads_in_portuguese_in_a_history():
    from django.apps import apps

    from retaguarda.core.audit_display import HIDDEN_FIELDS, _label_of

    same_in_both = {"total", "principal", "kit", "subject_url"}
    business = {"catalog", "parties", "companies", "inventory", "finance", "fiscal", "purchasing", "sales", "watch"}
    english = [
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        if model._meta.app_label in business
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS | same_in_both and _label_of(f, f.name) == f.name.replace("_", " ")
    ]
    assert not english, english
