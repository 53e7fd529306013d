"""The finance API: status codes, error codes, idempotency, company scope, uploads."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retaguarda.finance.models import Settlement, Title

from .test_ofx import FIXTURES

pytestmark = pytest.mark.django_db
BASE = "/api/v1/finance"


def post(client, path, body, **headers):
    return client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def sales_title(api, customer, category):
    response = post(
        api,
        "/titles",
        {
            "kind": "receivable",
            "category_id": category("sales").pk,
            "party_id": customer.pk,
            "issue_date": "2026-03-01",
            "installments": [
                {"due_date": "2026-03-10", "amount": "60.00"},
                {"due_date": "2026-04-10", "amount": "40.00"},
            ],
            "document_number": "NF 123",
        },
        **{"Idempotency-Key": "t-1"},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_creating_a_title_is_idempotent_with_a_key(api, sales_title, customer, category):
    again = post(
        api,
        "/titles",
        {
            "kind": "receivable",
            "category_id": category("sales").pk,
            "party_id": customer.pk,
            "issue_date": "2026-03-01",
            "installments": [
                {"due_date": "2026-03-10", "amount": "60.00"},
                {"due_date": "2026-04-10", "amount": "40.00"},
            ],
            "document_number": "NF 123",
        },
        **{"Idempotency-Key": "t-1"},
    )

    assert again.status_code == 201 and again.json()["id"] == sales_title["id"]
    assert Title.objects.count() == 1
    assert sales_title["amount"] == "100.00" and [i["amount"] for i in sales_title["installments"]] == [
        "60.00",
        "40.00",
    ]


def test_settle_then_over_settle_then_reverse(api, sales_title, bank_account):
    title_id = sales_title["id"]

    ok = post(
        api, f"/titles/{title_id}/settle", {"account_id": bank_account.pk, "date": "2026-03-11", "interest": "1.20"}
    )
    too_much = post(
        api,
        f"/titles/{title_id}/settle",
        {"installment_id": sales_title["installments"][1]["id"], "account_id": bank_account.pk, "paid": "40.01"},
    )

    assert ok.status_code == 201, ok.content
    assert (ok.json()["principal"], ok.json()["paid"]) == ("60.00", "61.20")
    assert too_much.status_code == 409 and too_much.json()["code"] == "finance.over_settlement"
    title = api.get(f"{BASE}/titles/{title_id}").json()
    assert (title["state"], title["amount_open"]) == ("partially_settled", "40.00")

    reversed_ = post(api, f"/settlements/{ok.json()['id']}/reverse", {"reason": "cheque devolvido"})
    assert reversed_.status_code == 200 and reversed_.json()["state"] == "reversed"
    assert api.get(f"{BASE}/titles/{title_id}").json()["amount_open"] == "100.00"


def test_bad_input_answers_422_in_portuguese_and_saves_nothing(api, category):
    response = post(
        api,
        "/titles",
        {
            "kind": "payable",
            "category_id": category("4.2.01").pk,
            "issue_date": "2026-03-01",
            "installments": [{"due_date": "2026-02-01", "amount": "5"}],
        },
    )
    negative = post(api, "/titles", {"kind": "payable", "installments": [{"due_date": "2026-02-01", "amount": "-5"}]})

    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["details"]}
    assert fields == {"installments.0.due_date"}
    assert "vencimento" in json.dumps(response.json(), ensure_ascii=False)
    assert negative.status_code == 422  # the document states it: an amount above zero
    assert {d["field"] for d in negative.json()["details"]} >= {"installments.0.amount"}
    assert Title.objects.count() == 0


def test_another_companys_title_is_not_found(api, make_company, make_user, api_client_for, sales_title):
    other = make_company()
    stranger = api_client_for(make_user("admin", companies=[other]))

    assert stranger.get(f"{BASE}/titles/{sales_title['id']}").status_code == 404
    assert post(stranger, f"/titles/{sales_title['id']}/cancel", {}).status_code == 404
    assert Title.objects.get(pk=sales_title["id"]).state == "open"


def test_upload_an_ofx_statement_twice_and_reconcile_a_line(api, make_account, actor, category):
    from retaguarda.br_tables.models import Bank

    account = make_account("BB", kind="bank", bank_id=Bank.objects.get(compe="001").pk)
    data = (FIXTURES / "bb.ofx").read_bytes()

    def upload():
        return api.post(f"{BASE}/statements?account_id={account.pk}", {"file": SimpleUploadedFile("bb.ofx", data)})

    first, second = upload(), upload()
    assert first.status_code == 201 and first.json()[0]["lines_new"] == 3
    assert second.status_code == 201 and second.json()[0]["lines_new"] == 0

    lines = api.get(f"{BASE}/statement-lines?account_id={account.pk}").json()["items"]
    withdrawal = next(ln for ln in lines if ln["amount"] == "-100.00")
    done = post(
        api,
        f"/statement-lines/{withdrawal['id']}/reconcile",
        {"create": [{"category_id": category("4.2.07").pk, "amount": "100.00"}]},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "reconciled" and len(done.json()["entry_ids"]) == 1
    locked = post(
        api,
        f"/statement-lines/{withdrawal['id']}/reconcile",
        {"create": [{"category_id": category("4.2.07").pk, "amount": "100.00"}]},
    )
    assert locked.status_code == 409 and locked.json()["code"] == "finance.line_locked"


def test_a_file_that_is_not_ofx_answers_422(api, bank_account):
    response = api.post(
        f"{BASE}/statements?account_id={bank_account.pk}", {"file": SimpleUploadedFile("extrato.csv", b"Data;Valor\n")}
    )

    assert response.status_code == 422 and response.json()["code"] == "finance.not_ofx"


def test_reports_answer(api, sales_title, bank_account, customer):
    post(api, f"/titles/{sales_title['id']}/settle", {"account_id": bank_account.pk, "date": "2026-03-11"})

    flow = api.get(f"{BASE}/cashflow?start=2026-03-01&end=2026-04-30&granularity=month")
    dre = api.get(f"{BASE}/dre?start=2026-03-01&end=2026-04-30&basis=cash")
    aging = api.get(f"{BASE}/aging")
    follow = api.get(f"{BASE}/collections")
    position = api.get(f"{BASE}/parties/{customer.pk}/position")

    assert flow.status_code == 200 and len(flow.json()["rows"]) == 2
    assert dre.status_code == 200
    gross = next(r for r in dre.json()["rows"] if r["key"] == "gross_revenue")
    assert gross["values"][0] == "60.00"
    assert aging.status_code == 200
    assert follow.status_code == 200
    assert position.status_code == 200 and position.json()["open_total"] == "40.00"


def test_an_accountant_reads_but_cannot_settle(api_client_for, accountant_user, sales_title, bank_account):
    client = api_client_for(accountant_user)

    assert client.get(f"{BASE}/titles").status_code == 200
    assert post(client, f"/titles/{sales_title['id']}/settle", {"account_id": bank_account.pk}).status_code == 403
    assert Settlement.objects.count() == 0


def test_transfers_and_direct_entries(api, bank_account, cash_box, category):
    moved = post(
        api, "/transfers", {"from_account_id": bank_account.pk, "to_account_id": cash_box.pk, "amount": "10.00"}
    )
    fee = post(
        api, "/entries", {"account_id": bank_account.pk, "category_id": category("bank_fees").pk, "amount": "2.50"}
    )

    assert moved.status_code == 201 and fee.status_code == 201
    accounts = {a["id"]: a["balance"] for a in api.get(f"{BASE}/accounts").json()}
    assert (accounts[bank_account.pk], accounts[cash_box.pk]) == ("987.50", "210.00")


def patch(client, path, body):
    return client.patch(f"{BASE}{path}", json.dumps(body), content_type="application/json")


def test_reminder_templates_are_listed_created_and_edited_through_the_api(
    api, api_client_for, accountant_user, make_company, make_user
):
    path = "/collections/reminder-templates"
    defaults = api.get(f"{BASE}{path}").json()
    created = post(
        api, path, {"name": "No dia", "days_offset": 0, "subject": "Vence hoje", "body": "Olá, {cliente}: {valor}."}
    )
    bad = post(api, path, {"name": "", "days_offset": 400, "subject": "x", "body": ""})
    template = created.json()
    edited = patch(api, f"{path}/{template['id']}", {"version": template["version"], "days_offset": 1})
    stale = patch(api, f"{path}/{template['id']}", {"version": template["version"], "subject": "Outro"})
    stranger = api_client_for(make_user("admin", companies=[make_company()]))

    assert [t["days_offset"] for t in defaults] == [-3, 5]
    assert created.status_code == 201 and template["is_active"]
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"name", "days_offset", "body"}
    assert (edited.status_code, edited.json()["days_offset"]) == (200, 1)
    assert stale.status_code == 409
    assert [t["name"] for t in api.get(f"{BASE}{path}").json()] == [
        "Lembrete 3 dias antes",
        "No dia",
        "Cobrança 5 dias após",
    ]
    assert post(api_client_for(accountant_user), path, {**template, "name": "Outro"}).status_code == 403
    assert patch(stranger, f"{path}/{template['id']}", {"version": 2, "subject": "x"}).status_code == 404


def test_a_customers_position_answers_in_a_fixed_number_of_queries(
    api, sales_title, customer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = api.get(f"{BASE}/parties/{customer.pk}/position")

    assert response.status_code == 200
    assert response.json()["open_total"] == "100.00"
