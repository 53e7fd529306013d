import io

from retaguarda.core import tabular
from retaguarda.parties import services
from retaguarda.parties.models import Party
from retaguarda.parties.tests.conftest import ADDRESS, make_cnpj, make_cpf

HEADER = "CPF/CNPJ;Tipo pessoa;Razão social;Cliente;Fornecedor;Indicador IE;IE;Limite de crédito;CEP;Logradouro;Número;Bairro;Município;UF"


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def good_line(n: int) -> str:
    document = make_cnpj(f"{70000000 + n:08d}0001")
    return f"{document};PJ;Loja {n:04d} Ltda;sim;não;9;;1.500,00;13015-904;Rua Barão de Jaguara;{n};Centro;Campinas;SP"


def test_a_file_with_three_bad_rows_saves_nothing_and_reports_exactly_them(actor):
    lines = [good_line(n) for n in range(1000)]
    lines[10] = lines[10].replace(";PJ;", ";XX;")  # unknown person type: row 12
    lines[500] = "11.111.111/1111-11;PJ;Ruim;sim;não;9;;0;13015-904;Rua A;1;Centro;Campinas;SP"  # row 502
    lines[998] = lines[998].replace(";Campinas;SP", ";Campinas;RJ")  # no Campinas in RJ: row 1000

    report = tabular.run_import("parties", csv_bytes(lines), actor=actor)

    assert report.total == 1000
    assert report.saved == 0
    assert sorted({e.row for e in report.errors}) == [12, 502, 1000]
    assert {(e.row, e.column) for e in report.errors} >= {(12, "tipo_pessoa"), (502, "documento"), (1000, "municipio")}
    assert not Party.objects.exists()

    report = tabular.run_import("parties", csv_bytes(lines), actor=actor, skip_invalid=True)
    assert report.saved == 997
    assert Party.objects.count() == 997


def test_every_problem_of_a_row_names_its_column(actor):
    line = f"{make_cpf('529982247')};PF;;não;não;1;;-5;999;;;;;"
    report = tabular.run_import("parties", csv_bytes([line]), actor=actor)
    columns = {e.column for e in report.errors}
    assert {"nome", "cliente", "inscricao_estadual", "limite_credito", "cep"} <= columns
    assert all(e.row == 2 for e in report.errors)


def test_the_same_document_twice_in_a_file_is_reported_on_the_second_row(actor):
    report = tabular.run_import("parties", csv_bytes([good_line(1), good_line(1)]), actor=actor)
    assert [(e.row, e.column) for e in report.errors] == [(3, "documento")]


def test_a_known_document_updates_only_the_filled_cells_and_its_billing_address(actor, make_party):
    party = make_party(trade_name="Fantasia", credit_limit="100")
    data = f"documento;limite_credito;numero\n{party.document_formatted};2.000,00;999\n".encode()

    report = tabular.run_import("parties", data, actor=actor)

    assert report.ok and report.saved == 1
    party.refresh_from_db()
    assert str(party.credit_limit) == "2000.00"
    assert party.trade_name == "Fantasia"
    address = party.addresses.get()
    assert (address.number, address.street) == ("999", ADDRESS["street"])


def test_export_then_import_gives_back_the_same_parties(actor, company, make_company, admin_user):
    from retaguarda.core.actor import Actor, Origin

    services.create_party(
        actor=actor,
        document="12.ABC.345/01DE-35",
        legal_name="Mercado Nova Era Ltda",
        trade_name="Nova Era",
        is_customer=True,
        is_supplier=True,
        ie_indicator=1,
        state_registration="110042490114",
        credit_limit="1234.50",
        payment_terms="30/60",
        addresses=[ADDRESS],
    )
    services.create_party(actor=actor, document=make_cpf("529982247"), legal_name="Ana Souza", is_customer=True)
    out = io.BytesIO()

    count = tabular.write_export(tabular.get_exporter("parties")(actor=actor), out, "xlsx")

    assert count == 2
    other = make_company()
    report = tabular.run_import("parties", out.getvalue(), actor=Actor(admin_user, Origin.CLI, other.pk))
    assert report.ok and report.saved == 2, report.errors
    copy = Party.objects.get(company=other, document="12ABC34501DE35")
    assert (copy.trade_name, str(copy.credit_limit), copy.payment_terms) == ("Nova Era", "1234.50", "30/60")
    assert (copy.is_customer, copy.is_supplier, copy.ie_indicator) == (True, True, 1)
    assert copy.addresses.get().municipality_id == "3509502"


def test_csv_export_is_masked_for_excel(actor, make_party):
    make_party(document="12ABC34501DE35")
    out = io.BytesIO()
    tabular.write_export(tabular.get_exporter("parties")(actor=actor), out, "csv")
    text = out.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("documento;tipo_pessoa;nome;")
    assert "12.ABC.345/01DE-35;PJ;" in text
    assert ";13015-904;" in text
