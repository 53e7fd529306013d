from decimal import Decimal

import pytest
from django.db import connection

from retaguarda.core import audit
from retaguarda.web.templatetags.br import brl, cep, document, qty

pytestmark = pytest.mark.django_db


def test_money_quantities_and_documents_in_brazilian_format():
    assert brl(Decimal("1234.5")) == "R$\u00a01.234,50"
    assert brl(Decimal("-0.5")) == "-R$\u00a00,50"
    assert brl(Decimal("20.069767")) == "R$\u00a020,07"  # an average cost: rounded half up, never cut
    assert brl(Decimal("0.005")) == "R$\u00a00,01"
    assert qty(Decimal("12.5000")) == "12,5"
    assert qty(Decimal("1500")) == "1.500"
    assert document("12ABC34501DE35") == "12.ABC.345/01DE-35"
    assert document("52998224725") == "529.982.247-25"
    assert cep("01310100") == "01310-100"


def test_plain_integers_print_ungrouped_so_forms_can_read_ids_back_and_typed_groups_are_still_read():
    from django import forms
    from django.template import Context, Template

    rendered = Template('<option value="{{ pk }}">{{ year }}</option> {{ amount|brl }}').render(
        Context({"pk": 1712, "year": 2026, "amount": Decimal("1500")})
    )
    assert rendered == '<option value="1712">2026</option> R$\u00a01.500,00'

    class Limit(forms.Form):
        value = forms.DecimalField(localize=True, decimal_places=2)

    form = Limit({"value": "1.500,25"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("1500.25")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's settings")
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        assert cur.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"
    assert connection.settings_dict["OPTIONS"]["timeout"] >= 5


def test_home_shows_real_figures(web, actor, company):
    for i in range(3):
        audit.record(actor, company, "updated", {"trade_name": [str(i), str(i + 1)]})
    html = web.get("/").content.decode()
    assert "Alterações nas últimas 24 h" in html
    assert "Processamento em segundo plano" in html


def test_audit_log_runs_a_fixed_number_of_queries(web, actor, company, django_assert_max_num_queries):
    audit.record(actor, company, "updated", {"trade_name": ["a", "b"]})
    with django_assert_max_num_queries(12) as few:
        web.get("/auditoria/")
    for i in range(60):
        audit.record(actor, company, "updated", {"trade_name": [str(i), str(i + 1)]})
    with django_assert_max_num_queries(len(few.captured_queries)):
        web.get("/auditoria/")


def test_audit_log_filters_by_object_and_date(web, actor, company):
    audit.record(actor, company, "updated", {"trade_name": ["a", "b"]})
    html = web.get("/auditoria/", {"object": f"companies.company:{company.pk}"}).content.decode()
    assert "Nome fantasia" in html and "trade_name" not in html
    assert "<td>alterado</td>" in html  # the action shows in Portuguese
    assert "<td>criado</td>" in html  # the company's creation, not the field label "criado em"
    html = web.get("/auditoria/", {"from": "2001-01-01", "to": "2001-01-02"}).content.decode()
    assert "Nenhum registro encontrado." in html


def test_audit_log_answers_only_the_table_to_htmx(web):
    response = web.get("/auditoria/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert '<table class="audit">' in html
    assert "<nav" not in html


def test_menu_shows_only_what_the_department_may_open(client, make_user):
    user = make_user("sales")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Auditoria" not in html
    assert "Usuários" not in html
    assert "Tokens de API" in html


def test_audit_log_shows_a_change_to_a_field_named_items(web, actor, company):
    audit.record(actor, company, "updated", {"items": [[], [{"sku": "A", "price": "1.00"}]], "name": ["a", "b"]})
    html = web.get("/auditoria/").content.decode()
    assert "<td>Items</td><td>—</td><td>SKU: A; preço: 1</td>" in html
    assert "<td>Nome</td><td>a</td><td>b</td>" in html


def test_shared_list_pieces_read_in_portuguese():
    from django.template.loader import render_to_string

    from retaguarda.core.pagination import Window

    assert "inativo" in render_to_string("web/partials/active_badge.html", {"active": False})
    assert ">ativo<" in render_to_string("web/partials/active_badge.html", {"active": True})
    window = Window([], next_cursor="abc", previous_cursor="p.xyz", total=1234)
    pager = render_to_string("web/partials/pager.html", {"window": window, "query": "q=x"})
    assert "1234 registros" in pager and "Próxima página" in pager and "?q=x&amp;cursor=abc" in pager
    assert "Página anterior" in pager and "?q=x&amp;cursor=p.xyz" in pager
    capped = Window([], next_cursor="abc", previous_cursor=None, total=10_000, more_than_total=True)
    pager = render_to_string("web/partials/pager.html", {"window": capped, "query": ""})
    assert "Mais de 10.000 registros" in pager and "Página anterior" not in pager and 'href="?cursor=abc"' in pager


def test_an_api_403_from_django_reads_as_a_refused_operation(rf):
    from retaguarda.web.views import error_403

    response = error_403(rf.get("/api/v1/anything"))
    assert response.status_code == 403
    assert b"Voc\\u00ea n\\u00e3o tem permiss\\u00e3o para esta opera\\u00e7\\u00e3o." in response.content


def test_one_menu_item_is_current_even_when_two_addresses_match(admin_user):
    from retaguarda.web.navigation import menu_for

    links = [link for section in menu_for(admin_user, "/estoque/movimentacoes/nova/") for link in section["links"]]

    current = [link["url"] for link in links if link["active"]]
    assert current == ["/estoque/movimentacoes/"]


def test_the_accountants_menu_leaves_out_companies_and_users_they_cannot_manage(accountant_user, admin_user):
    from retaguarda.web.navigation import menu_for

    def labels(user):
        return {str(link["label"]) for section in menu_for(user) for link in section["links"]}

    accountant = labels(accountant_user)
    assert "Empresas" not in accountant and "Usuários" not in accountant
    assert {"Auditoria", "Saldos", "Contas a receber"} <= accountant  # still reads everything else
    assert {"Empresas", "Usuários"} <= labels(admin_user)


def test_each_user_and_page_gets_its_own_menu_though_menus_are_rendered_once(client, make_user, admin_user):
    """The menu's HTML is kept per different menu (`navigation.sidebar`): a kept menu never shows links the
    user may not open, nor another page's current link."""
    from django.urls import reverse

    from retaguarda.web import navigation

    def sidebar_of(user, name):
        client.force_login(user)
        html = client.get(reverse(name)).content.decode()
        return html.split('<nav class="sidebar"')[1].split("</nav>")[0]

    balances = reverse("inventory:balances")
    first = sidebar_of(admin_user, "inventory:balances")
    again = sidebar_of(admin_user, "inventory:balances")
    on_moves = sidebar_of(admin_user, "inventory:moves")
    finance = sidebar_of(make_user("finance"), "finance:home")

    assert first == again and len(navigation._sidebars) >= 1
    assert f'<a href="{balances}" aria-current="page">' in first
    assert f'<a href="{balances}" >' in on_moves and 'aria-current="page">Movimentações' in on_moves
    assert balances not in finance and reverse("finance:titles") in finance
