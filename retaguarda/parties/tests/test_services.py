from decimal import Decimal

import pytest

from retaguarda.core.actor import Actor, Origin
from retaguarda.core.errors import NotFound, StaleVersion, ValidationFailed
from retaguarda.core.models import AuditRecord
from retaguarda.parties import selectors, services
from retaguarda.parties.errors import DuplicateDocument
from retaguarda.parties.models import IeIndicator, Party, PartyAddress
from retaguarda.parties.tests.conftest import ADDRESS, make_cnpj, make_cpf

ALPHANUMERIC_CNPJ = "12.ABC.345/01DE-35"


def fields_of(err) -> list[str]:
    return [d["field"] for d in err.value.details]


def test_a_customer_with_an_alphanumeric_cnpj_is_registered_unmasked(actor, company):
    party = services.create_party(
        actor=actor,
        kind="company",
        document=ALPHANUMERIC_CNPJ,
        legal_name="Mercado  Nova Era Ltda",
        trade_name="Nova Era",
        is_customer=True,
        ie_indicator=IeIndicator.TAXPAYER,
        state_registration="110.042.490.114",
        credit_limit=Decimal("5000"),
        payment_terms="30 60 90",
        addresses=[ADDRESS],
    )

    party.refresh_from_db()
    assert party.document == "12ABC34501DE35"
    assert party.document_formatted == ALPHANUMERIC_CNPJ
    assert party.legal_name == "Mercado Nova Era Ltda"
    assert party.state_registration == "110042490114"
    assert party.credit_limit == Decimal("5000.00")
    assert party.payment_terms == "30/60/90"
    assert party.installment_days == [30, 60, 90]
    assert party.company == company
    address = party.addresses.get()
    assert (address.uf, address.postal_code, address.is_billing) == ("SP", "13015904", True)


def test_the_person_type_follows_the_document_when_not_given(actor):
    party = services.create_party(actor=actor, document=make_cpf("529982247"), legal_name="Ana Souza", is_customer=True)
    assert party.kind == "individual"
    assert party.ie_indicator == IeIndicator.NON_TAXPAYER


def test_the_same_document_twice_in_a_company_is_refused_with_a_conflict(actor, make_party):
    make_party(document=ALPHANUMERIC_CNPJ)

    with pytest.raises(DuplicateDocument) as err:
        make_party(document="12abc34501de35")

    assert err.value.status == 409
    assert err.value.code == "parties.duplicate_document"
    assert fields_of(err) == ["document"]
    assert Party.objects.filter(document="12ABC34501DE35").count() == 1


def test_the_same_document_in_another_company_is_accepted(actor, make_party, make_company, admin_user):
    make_party(document=ALPHANUMERIC_CNPJ)
    other = make_company()
    other_actor = Actor(admin_user, Origin.CLI, other.pk)

    party = services.create_party(actor=other_actor, document=ALPHANUMERIC_CNPJ, legal_name="X", is_supplier=True)

    assert party.company == other


def test_an_icms_taxpayer_without_a_state_registration_is_refused(make_party):
    with pytest.raises(ValidationFailed) as err:
        make_party(ie_indicator=IeIndicator.TAXPAYER, state_registration="ISENTO")

    assert fields_of(err) == ["state_registration"]
    assert "contribuinte" in err.value.message.lower()


def test_an_exempt_party_keeps_no_state_registration(make_party):
    party = make_party(ie_indicator=IeIndicator.EXEMPT, state_registration="isento")
    assert party.state_registration == ""


def test_every_bad_field_is_reported_at_once_in_portuguese(actor):
    with pytest.raises(ValidationFailed) as err:
        services.create_party(
            actor=actor,
            kind="individual",
            document="111.111.111-11",
            legal_name="",
            email="ana@",
            phone="123",
            credit_limit="-10",
            payment_terms="60/30",
            lead_time_days=400,
            addresses=[{**ADDRESS, "postal_code": "123", "municipality_id": "9999999"}, {**ADDRESS, "street": ""}],
            contacts=[{"name": "", "email": "x"}],
        )

    assert err.value.status == 422
    assert sorted(fields_of(err)) == sorted(
        [
            "document",
            "legal_name",
            "roles",
            "email",
            "phone",
            "credit_limit",
            "payment_terms",
            "lead_time_days",
            "addresses[0].postal_code",
            "addresses[0].municipality_id",
            "addresses[1].street",
            "contacts[0].name",
            "contacts[0].email",
        ]
    )
    messages = {d["field"]: d["message"] for d in err.value.details}
    assert messages["legal_name"].startswith("Informe")
    assert "CPF" in messages["document"]
    assert "9999999" in messages["addresses[0].municipality_id"]
    assert err.value.message == "13 problemas encontrados: corrija os campos indicados."
    assert not Party.objects.exists()


def test_a_cep_from_another_state_than_the_municipality_is_refused(make_party):
    with pytest.raises(ValidationFailed) as err:
        make_party(addresses=[{**ADDRESS, "postal_code": "20040-002"}])  # a Rio CEP in Campinas/SP

    assert fields_of(err) == ["addresses[0].postal_code"]
    assert "RJ" in err.value.message


def test_a_cpf_for_a_company_is_refused(make_party):
    with pytest.raises(ValidationFailed) as err:
        make_party(kind="company", document=make_cpf("529982247"))
    assert fields_of(err) == ["document"]


def test_creation_is_audited_with_each_field_and_each_address(actor, make_party):
    party = make_party(document=ALPHANUMERIC_CNPJ, contacts=[{"name": "Rita", "email": "rita@example.com"}])

    records = list(selectors.history(party).order_by("id"))

    assert [r.action for r in records] == ["created", "address_added", "contact_added"]
    assert records[0].changes["document"] == [None, "12ABC34501DE35"]
    assert records[0].user == actor.user
    address = party.addresses.get()
    assert records[1].changes[f"address#{address.pk}.municipality_id"] == [None, "3509502"]


def test_an_update_is_audited_field_by_field_and_bumps_the_version(actor, make_party):
    party = make_party(trade_name="Antigo")

    updated = services.update_party(
        party.pk, actor=actor, version=party.version, trade_name="Novo", credit_limit=Decimal("1500.5")
    )

    assert updated.version == party.version + 1
    record = AuditRecord.objects.filter(object_id=str(party.pk), action="updated").get()
    assert record.changes == {"trade_name": ["Antigo", "Novo"], "credit_limit": ["0.00", "1500.50"]}


def test_an_update_from_a_stale_version_is_refused(actor, make_party):
    party = make_party()
    services.update_party(party.pk, actor=actor, version=party.version, trade_name="Primeiro")

    with pytest.raises(StaleVersion):
        services.update_party(party.pk, actor=actor, version=party.version, trade_name="Segundo")

    party.refresh_from_db()
    assert party.trade_name == "Primeiro"


def test_an_update_that_changes_nothing_writes_no_audit(actor, make_party):
    party = make_party(trade_name="Igual")
    services.update_party(party.pk, actor=actor, version=party.version, trade_name=" Igual ")
    assert not AuditRecord.objects.filter(object_id=str(party.pk), action="updated").exists()


def test_updating_to_another_partys_document_is_a_conflict(actor, make_party):
    first = make_party()
    second = make_party()
    with pytest.raises(DuplicateDocument):
        services.update_party(second.pk, actor=actor, version=second.version, document=first.document)


def test_a_party_of_another_company_cannot_be_edited(make_party, make_company, admin_user):
    party = make_party()
    stranger = Actor(admin_user, Origin.CLI, make_company().pk)
    with pytest.raises(NotFound):
        services.update_party(party.pk, actor=stranger, version=None, trade_name="Invasor")


def test_deactivation_hides_the_party_from_searches_and_is_audited(actor, company, make_party):
    party = make_party(legal_name="Papelaria Central")

    services.deactivate_party(party.pk, actor=actor)

    assert not selectors.parties(company=company, q="papelaria").exists()
    assert selectors.parties(company=company, q="papelaria", active=False).exists()
    record = AuditRecord.objects.filter(object_id=str(party.pk), action="deactivated").get()
    assert record.changes == {"is_active": [True, False]}


def test_a_new_billing_address_takes_the_flag_from_the_old_one(actor, make_party):
    party = make_party()
    old = party.addresses.get()

    new = services.add_address(
        party.pk,
        actor=actor,
        version=party.version,
        postal_code="80010-000",
        street="Rua XV de Novembro",
        number="S/N",
        district="Centro",
        municipality_id="4106902",  # Curitiba/PR
        is_billing=True,
        is_delivery=True,
    )

    old.refresh_from_db()
    assert (new.uf, new.is_billing, new.is_delivery) == ("PR", True, True)
    assert old.is_billing is False
    assert PartyAddress.objects.filter(party=party, is_billing=True).count() == 1


def test_two_billing_addresses_in_one_registration_are_refused(make_party):
    with pytest.raises(ValidationFailed) as err:
        make_party(addresses=[{**ADDRESS, "is_billing": True}, {**ADDRESS, "is_billing": True}])
    assert fields_of(err) == ["addresses[1].is_billing"]


def test_removing_the_billing_address_promotes_the_next_one(actor, make_party):
    party = make_party(addresses=[ADDRESS, {**ADDRESS, "number": "2"}])
    first, second = party.addresses.order_by("id")

    services.remove_address(first.pk, actor=actor)

    second.refresh_from_db()
    assert second.is_billing is True
    actions = list(selectors.history(party).values_list("action", flat=True)[:2])
    assert actions == ["address_removed", "address_changed"]


def test_an_address_change_is_audited_on_the_party(actor, make_party):
    party = make_party()
    address = party.addresses.get()

    services.update_address(address.pk, actor=actor, number="1300", complement="Sala 4")

    record = selectors.history(party).first()
    assert record.action == "address_changed"
    assert record.changes == {
        f"address#{address.pk}.number": ["1200", "1300"],
        f"address#{address.pk}.complement": ["", "Sala 4"],
    }


def test_contacts_are_added_changed_and_removed_with_audit(actor, make_party):
    party = make_party()
    contact = services.add_contact(party.pk, actor=actor, name="Carlos", role="Compras", phone="(11) 98765-4321")
    assert contact.phone == "11987654321"

    services.update_contact(contact.pk, actor=actor, email="CARLOS@EXAMPLE.COM")
    services.remove_contact(contact.pk, actor=actor)

    actions = list(selectors.history(party).values_list("action", flat=True)[:3])
    assert actions == ["contact_removed", "contact_changed", "contact_added"]
    assert not party.contacts.exists()


def test_a_child_edit_with_a_stale_party_version_is_refused(actor, make_party):
    party = make_party()
    services.update_party(party.pk, actor=actor, version=party.version, notes="x")
    with pytest.raises(StaleVersion):
        services.add_contact(party.pk, actor=actor, version=party.version, name="Late")


def test_search_finds_by_name_without_accents_document_masked_or_not_and_city(company, make_party):
    make_party(legal_name="Padaria São João Ltda", document=ALPHANUMERIC_CNPJ)
    make_party(
        legal_name="Ferragens Gaúcha",
        addresses=[{**ADDRESS, "postal_code": "90010-000", "municipality_id": "4314902"}],  # Porto Alegre
    )

    def names(**kw):
        return sorted(p.legal_name for p in selectors.parties(company=company, **kw))

    assert names(q="sao joao") == ["Padaria São João Ltda"]
    assert names(q="12.ABC.345/01DE-35") == ["Padaria São João Ltda"]
    assert names(q="12abc345") == ["Padaria São João Ltda"]
    assert names(q="porto alegre") == ["Ferragens Gaúcha"]
    assert names(uf="RS") == ["Ferragens Gaúcha"]
    assert names(city="campinas") == ["Padaria São João Ltda"]


def test_search_filters_by_role(company, make_party):
    make_party(legal_name="Cliente", is_customer=True)
    make_party(legal_name="Fornecedor", is_customer=False, is_supplier=True)
    make_party(legal_name="Transportadora", is_customer=False, is_carrier=True, is_supplier=True)

    suppliers = selectors.parties(company=company, role="supplier")

    assert sorted(p.legal_name for p in suppliers) == ["Fornecedor", "Transportadora"]
    carrier = selectors.parties(company=company, role="carrier").get()
    assert carrier.roles == ["supplier", "carrier"]
    assert carrier.billing_city == "Campinas"


def test_the_database_refuses_a_party_without_a_role(company):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Party.objects.create(company=company, kind="individual", document=make_cpf("529982247"), legal_name="X")


def test_unknown_fields_are_reported(actor):
    with pytest.raises(ValidationFailed) as err:
        services.create_party(
            actor=actor, document=make_cnpj("112223330001"), legal_name="X", is_customer=True, colour="blue"
        )
    assert fields_of(err) == ["colour"]
