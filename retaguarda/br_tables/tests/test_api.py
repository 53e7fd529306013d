import pytest


def test_municipalities_by_name_and_uf(api):
    response = api.get("/api/v1/br/municipalities?q=campinas&uf=sp")
    assert response.status_code == 200
    assert response.json()["items"] == [{"code": "3509502", "name": "Campinas", "uf": "SP", "is_capital": False}]


def test_municipality_by_code(api):
    assert api.get("/api/v1/br/municipalities?code=3550308").json()["items"][0]["name"] == "São Paulo"


def test_municipalities_paginate_by_cursor(api):
    first = api.get("/api/v1/br/municipalities?uf=AC&limit=10").json()
    second = api.get(f"/api/v1/br/municipalities?uf=AC&limit=10&cursor={first['next_cursor']}").json()
    third = api.get(f"/api/v1/br/municipalities?uf=AC&limit=10&cursor={second['next_cursor']}").json()
    names = [m["name"] for m in first["items"] + second["items"] + third["items"]]
    assert len(names) == 22 and len(set(names)) == 22  # Acre has 22 municipalities
    assert third["next_cursor"] is None


def test_ncm_by_code_or_text(api):
    assert api.get("/api/v1/br/ncm?q=2202.10.00").json()["items"][0]["code"] == "22021000"
    assert api.get("/api/v1/br/ncm?q=cavalos reprodutores").json()["items"][0]["code"] == "01012100"


def test_cfop_by_direction(api):
    items = api.get("/api/v1/br/cfop?q=510&direction=saida").json()["items"]
    assert "5102" in [c["code"] for c in items]


def test_cest_by_ncm(api):
    items = api.get("/api/v1/br/cest?ncm=38151210").json()["items"]
    assert items[0]["code"] == "0100100"
    assert "38151210" in items[0]["ncm_prefixes"]


def test_a_bad_cursor_is_a_422(api):
    assert api.get("/api/v1/br/ncm?cursor=@@@").status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/br/municipalities", "/api/v1/br/ncm", "/api/v1/br/cfop", "/api/v1/br/cest"])
def test_reference_tables_need_a_signed_in_user(client, path):
    assert client.get(path).status_code == 401


def test_any_department_reads_the_reference_tables(api_client_for, make_user):
    assert api_client_for(make_user("logistics")).get("/api/v1/br/cfop").status_code == 200
