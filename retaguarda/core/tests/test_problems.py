"""The one validation collector: every problem noted, raised together, put back on a form."""

import pytest
from django import forms

from retaguarda.core.cleaning import clean_email, clean_phone, one_line, text
from retaguarda.core.errors import NotFound, ValidationFailed, missing_row
from retaguarda.core.problems import Problems, put_on_form, put_on_forms
from retaguarda.core.validators import validate_cep


def test_nothing_noted_raises_nothing():
    problems = Problems()
    problems.raise_if_any()
    assert not problems and len(problems) == 0


def test_one_problem_is_the_message_several_are_counted():
    problems = Problems()
    problems.add("name", "Enter the name.")
    with pytest.raises(ValidationFailed) as one:
        problems.raise_if_any()
    assert one.value.message == "Enter the name."
    assert one.value.details == [{"field": "name", "message": "Enter the name."}]

    problems.add(None, "Something about the whole record.")
    with pytest.raises(ValidationFailed) as two:
        problems.raise_if_any()
    assert "2" in two.value.message
    assert [d["field"] for d in two.value.details] == ["name", None]


def test_a_part_writes_to_the_same_list_under_its_prefix():
    problems = Problems()
    line = problems.within("lines[2].")
    line.add("quantity", "Too many places.")
    line.add(None, "This line is empty.")
    line.within("lot.").add("code", "Unknown lot.")
    assert [p["field"] for p in problems] == ["lines[2].quantity", "lines[2]", "lines[2].lot.code"]
    assert line.has("quantity") and not problems.has("quantity")
    assert line.fields() == {"quantity", "lot.code"}


def test_problems_found_elsewhere_come_in_as_pairs_dicts_or_a_collector():
    other = Problems()
    other.add("sku", "Taken.")
    problems = Problems().within("variants[0].")
    problems.extend([("gtin", "Bad digit."), {"field": "price", "message": "Negative."}, (None, "Whole row.")])
    problems.extend(other)
    assert [p["field"] for p in problems] == ["variants[0].gtin", "variants[0].price", None, "variants[0].sku"]


def test_ids_that_name_no_row_alone_are_a_404_naming_them():
    problems = Problems()
    problems.within("lines.0.").missing("product_id", "Product 9 not found.")
    problems.missing("warehouse_id", "Warehouse not found.")
    with pytest.raises(ValidationFailed) as only_ids:
        problems.raise_if_any()
    assert (only_ids.value.status, only_ids.value.code) == (404, "core.not_found")
    assert [d["field"] for d in only_ids.value.details] == ["lines.0.product_id", "warehouse_id"]

    problems.add("quantity", "Must be positive.")  # an invalid body besides: the whole refusal is a 422
    with pytest.raises(ValidationFailed) as mixed:
        problems.raise_if_any()
    assert (mixed.value.status, mixed.value.code) == (422, "core.validation")
    assert len(mixed.value.details) == 3


def test_a_missing_row_raised_alone_speaks_its_message():
    refused = ValidationFailed(details=[missing_row("channel_id", "Sales channel not found.")])
    assert (refused.status, refused.message) == (404, "Sales channel not found.")
    assert refused.details == [{"field": "channel_id", "message": "Sales channel not found."}]
    copied = Problems()
    copied.extend(refused.details)  # a problem copied from another collector keeps its kind
    with pytest.raises(ValidationFailed) as again:
        copied.raise_if_any()
    assert again.value.status == 404


def test_a_django_validator_becomes_a_problem():
    problems = Problems()
    assert problems.check("postal_code", validate_cep, "01310-100")
    assert not problems.check("postal_code", validate_cep, "123")
    assert problems.items[0]["field"] == "postal_code" and "123" in problems.items[0]["message"]


def test_another_error_class_carries_the_same_details():
    problems = Problems()
    problems.add("id", "Gone.")
    with pytest.raises(NotFound) as exc:
        problems.raise_if_any(NotFound)
    assert exc.value.status == 404 and exc.value.details == [{"field": "id", "message": "Gone."}]


def test_model_checks_name_the_field_and_skip_what_was_said():
    from retaguarda.access.models import Department

    department = Department(code="x" * 200)
    problems = Problems()
    problems.model_checks(department)
    assert {p["field"] for p in problems} == {"code"}

    problems = Problems()
    problems.add("code", "Choose a department.")
    problems.model_checks(department)
    assert problems.items == [{"field": "code", "message": "Choose a department."}]  # said once


class AddressForm(forms.Form):
    postal_code = forms.CharField(required=False)
    is_customer = forms.BooleanField(required=False)


def test_put_on_form_places_each_problem_beside_its_field():
    problems = Problems()
    problems.add("roles", "Choose a role.")
    problems.add("addresses[0].postal_code", "Enter the CEP.")
    problems.add("unknown_thing", "Above the form.")
    exc = problems.error()

    main, address = AddressForm(data={}), AddressForm(data={})
    main.is_valid(), address.is_valid()
    put_on_form(exc, main, aliases={"roles": "is_customer"})
    put_on_form(exc, address, prefix="addresses[0].")
    assert main.errors["is_customer"] == ["Choose a role."]
    assert "Above the form." in main.non_field_errors()
    assert address.errors == {"postal_code": ["Enter the CEP."]}


def test_put_on_form_without_details_shows_the_message():
    form = AddressForm(data={})
    form.is_valid()
    put_on_form(ValidationFailed("Nope."), form)
    assert form.non_field_errors() == ["Nope."]


def test_phone_and_email_cleaning():
    problems = Problems()
    assert clean_phone(" (11) 3333-4444 ", problems) == "1133334444"
    assert clean_phone("", problems) == ""
    assert clean_email(" Ana@Loja.COM.br ", problems, "contact.email") == "ana@loja.com.br"
    assert problems.items == []
    clean_phone("3333-4444", problems)
    clean_email("ana@", problems, "contact.email")
    assert [p["field"] for p in problems] == ["phone", "contact.email"]
    assert text(None) == "" and one_line("  Rua \n das   Flores ") == "Rua das Flores"


def test_put_on_forms_sends_each_problem_to_one_form_by_its_longest_prefix():
    problems = Problems()
    problems.add("roles", "Choose a role.")
    problems.add("addresses[0].postal_code", "Enter the CEP.")
    problems.add("variants.1.price", "Negative price.")
    main, address = AddressForm(data={}), AddressForm(data={})
    main.is_valid(), address.is_valid()

    put_on_forms(problems.error(), {"": main, "addresses[0].": address}, aliases={"roles": "is_customer"},
                 labels={"variants": "Variação: "})  # fmt: skip

    assert main.errors["is_customer"] == ["Choose a role."]
    assert main.non_field_errors() == ["Variação: Negative price."]  # the CEP is the address form's alone
    assert address.errors == {"postal_code": ["Enter the CEP."]}
