from django import forms

from retaguarda.br_tables.widgets import MunicipalityWidget, NcmWidget


def test_typing_a_city_lists_matches_that_pick_by_htmx(web):
    response = web.get(
        "/tabelas/municipios/", {"field": "municipality_id", "id": "id_mun", "municipality_id_search": "campinas/sp"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Campinas/SP" in html
    assert "code=3509502" in html
    assert 'hx-target="#id_mun-box"' in html
    assert 'id="id_mun_code" value="" hx-swap-oob="true"' in html  # typing clears the picked code


def test_picking_a_city_fills_the_hidden_code(web):
    response = web.get("/tabelas/municipios/escolher/", {"field": "municipality_id", "id": "id_mun", "code": "3509502"})
    html = response.content.decode()
    assert 'name="municipality_id" id="id_mun_code" value="3509502"' in html
    assert 'value="Campinas/SP"' in html


def test_nothing_found_says_so(web):
    response = web.get("/tabelas/municipios/", {"field": "m", "m_search": "xyzxyz"})
    assert "Nada encontrado." in response.content.decode()


def test_ncm_search_and_pick(web):
    found = web.get("/tabelas/ncm/", {"field": "ncm", "ncm_search": "2202.10"}).content.decode()
    picked = web.get("/tabelas/ncm/escolher/", {"field": "ncm", "code": "22021000"}).content.decode()
    assert "code=22021000" in found
    assert 'value="22021000"' in picked and "2202.10.00" in picked


def test_lookups_need_sign_in(client):
    assert client.get("/tabelas/municipios/?q=rio").status_code == 302


def test_the_widgets_work_in_any_form(db):
    class AddressForm(forms.Form):
        municipality_id = forms.CharField(widget=MunicipalityWidget())
        ncm = forms.CharField(widget=NcmWidget())

    form = AddressForm(initial={"municipality_id": "3550308"})
    html = str(form["municipality_id"])
    assert 'value="São Paulo/SP"' in html and 'value="3550308"' in html
    bound = AddressForm({"municipality_id": " 3304557 ", "municipality_id_search": "Rio", "ncm": "22021000"})
    assert bound.is_valid() and bound.cleaned_data["municipality_id"] == "3304557"
    assert 'hx-get="/tabelas/ncm/"' in str(bound["ncm"])
