"""The OFX reader on the real samples and on files built here the way Brazilian banks write them."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from retaguarda.finance.ofx import OfxError, read_ofx
from retaguarda.finance.ofx.values import parse_amount, parse_date

FIXTURES = Path(__file__).parent / "fixtures" / "ofx"

LATIN1_SGML = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:NONE
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20261130083000[-3:BRT]<LANGUAGE>POR<FI><ORG>Banco Exemplo S.A.<FID>999</FI></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1>
<STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>237<BRANCHID>1234<ACCTID>56789-0<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261103100000[-3:BRT]<TRNAMT>1.234,56<FITID>A1<MEMO>PIX RECEBIDO JOSÉ DA CONCEIÇÃO</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261104<TRNAMT>-89,90<FITID>A2<MEMO>TARIFA MANUTENÇÃO & PACOTE</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261105120000.000[-03:EST]<TRNAMT>-1.000.000,00<FITID>A3<NAME>AÇOUGUE SÃO JOÃO<MEMO>BOLETO</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>10.500,75<DTASOF>20261130</LEDGERBAL>
</STMTRS></STMTTRNRS>
<STMTTRNRS><TRNUID>2<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>237<BRANCHID>1234<ACCTID>99999-1<ACCTTYPE>SAVINGS</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>INT<DTPOSTED>20261130<TRNAMT>12,34<FITID>S1<MEMO>RENDIMENTO POUPANÇA</STMTTRN>
<STMTTRN><TRNTYPE>INT<DTPOSTED>20261130<TRNAMT>0,01<FITID>S1<MEMO>AJUSTE</STMTTRN>
<STMTTRN><TRNTYPE>OTHER<DTPOSTED>20261130<TRNAMT>-5,00<MEMO>SEM FITID</STMTTRN>
</BANKTRANLIST>
</STMTRS></STMTTRNRS>
</BANKMSGSRSV1>
<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>3<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<CCSTMTRS><CURDEF>BRL<CCACCTFROM><ACCTID>4111********1111</CCACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261110<TRNAMT>-250,00<FITID>C1<MEMO>POSTO IPIRANGA</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>-250,00<DTASOF>20261130</LEDGERBAL>
</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>
</OFX>
"""

XML_V2 = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <DTSERVER>20261130083000[-3:BRT]</DTSERVER><LANGUAGE>POR</LANGUAGE><FI><ORG>Cooperativa Ç&amp;A</ORG></FI></SONRS></SIGNONMSGSRSV1>
  <BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <STMTRS><CURDEF>BRL</CURDEF>
      <BANKACCTFROM><BANKID>756</BANKID><BRANCHID>3001</BRANCHID><ACCTID>12345</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
      <BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
        <STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261102235959[-3:BRT]</DTPOSTED><TRNAMT>150.00</TRNAMT><FITID>X-1</FITID><NAME/><MEMO>Depósito &lt;caixa&gt; — ação</MEMO></STMTTRN>
      </BANKTRANLIST>
      <LEDGERBAL><BALAMT>150.00</BALAMT><DTASOF>20261130</DTASOF></LEDGERBAL>
    </STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_the_banco_do_brasil_sample_reads_with_its_windows_1252_accents():
    ofx = read_ofx((FIXTURES / "bb.ofx").read_bytes())

    [statement] = ofx.statements
    assert (ofx.version, ofx.encoding, ofx.organization) == (1, "cp1252", "Banco do Brasil")
    assert (statement.bank_id, statement.branch_id, statement.account_id) == ("1", "9999-9", "99999-9")
    assert (statement.start, statement.end) == (date(2014, 2, 24), date(2014, 3, 27))
    assert statement.ledger_balance == Decimal("9999.99")
    assert [(t.fitid, t.amount, t.memo) for t in statement.transactions] == [
        ("2014030503444800", Decimal("3444.80"), "Transferência Agendada"),
        ("20140305122250", Decimal("-22.25"), "Compra com Cartão"),
        ("201403051100000", Decimal("-100.00"), "Saque"),
    ]


def test_the_itau_sample_reads_without_closing_tags():
    ofx = read_ofx((FIXTURES / "itau.ofx").read_bytes())

    [statement] = ofx.statements
    assert (statement.bank_id, statement.account_id) == ("0341", "9999 99999-9")
    assert statement.ledger_balance == Decimal("-9999.99")
    assert [(t.posted, t.amount, t.type, t.memo) for t in statement.transactions] == [
        (date(2013, 12, 9), Decimal("-666.66"), "DEBIT", "RSHOP"),
        (date(2013, 12, 9), Decimal("99.99"), "CREDIT", "REND PAGO APLIC AUT MAIS"),
        (date(2013, 12, 10), Decimal("-77.77"), "DEBIT", "SISDEB"),
    ]


def test_a_latin1_sgml_file_with_accents_commas_and_unclosed_tags_holding_three_statements():
    ofx = read_ofx(LATIN1_SGML.encode("latin-1"))

    checking, savings, card = ofx.statements
    assert ofx.encoding == "cp1252" and ofx.organization == "Banco Exemplo S.A."
    assert (checking.kind, checking.bank_id, checking.branch_id, checking.account_id) == (
        "bank",
        "237",
        "1234",
        "56789-0",
    )
    assert checking.ledger_balance == Decimal("10500.75")
    assert [(t.posted, t.amount, t.memo or t.name) for t in checking.transactions] == [
        (date(2026, 11, 3), Decimal("1234.56"), "PIX RECEBIDO JOSÉ DA CONCEIÇÃO"),
        (date(2026, 11, 4), Decimal("-89.90"), "TARIFA MANUTENÇÃO & PACOTE"),
        (date(2026, 11, 5), Decimal("-1000000.00"), "BOLETO"),
    ]
    assert checking.transactions[2].name == "AÇOUGUE SÃO JOÃO"
    assert savings.account_type == "SAVINGS"
    # A FITID repeated for another line in the same file, and a line without one, still get ids of their own.
    fitids = [t.fitid for t in savings.transactions]
    assert fitids[:2] == ["S1", "S1#2"] and fitids[2].startswith("sem-fitid-")
    assert read_ofx(LATIN1_SGML.encode("latin-1")).statements[1].transactions[2].fitid == fitids[2]
    assert (card.kind, card.account_id, card.ledger_balance) == ("creditcard", "4111********1111", Decimal("-250.00"))
    assert card.transactions[0].amount == Decimal("-250.00")


def test_the_same_file_labelled_1252_but_written_in_utf8_keeps_its_accents():
    ofx = read_ofx(LATIN1_SGML.replace("CHARSET:NONE", "CHARSET:1252").encode("utf-8"))

    assert ofx.encoding == "utf-8"
    assert ofx.statements[0].transactions[0].memo == "PIX RECEBIDO JOSÉ DA CONCEIÇÃO"


def test_an_ofx_2_xml_file_reads_with_its_character_references():
    ofx = read_ofx(XML_V2.encode("utf-8"))

    [statement] = ofx.statements
    assert (ofx.version, ofx.organization) == (2, "Cooperativa Ç&A")
    [line] = statement.transactions
    assert (line.fitid, line.posted, line.amount) == ("X-1", date(2026, 11, 2), Decimal("150.00"))
    assert line.memo == "Depósito <caixa> — ação"


def test_an_ofx_2_file_in_windows_1252_labelled_utf8_and_without_the_ofx_instruction_reads():
    text = XML_V2.replace(
        '<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>', ""
    )

    ofx = read_ofx(text.replace("—", "-").encode("cp1252"))

    assert (ofx.version, ofx.encoding) == (2, "cp1252")
    assert ofx.statements[0].transactions[0].memo == "Depósito <caixa> - ação"


_HOSTILE_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="211"?>\n'


@pytest.mark.parametrize(
    "doctype",
    [
        # billion laughs
        '<!DOCTYPE OFX [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        # an external entity reading a local file
        '<!DOCTYPE OFX [<!ENTITY d SYSTEM "file:///etc/passwd">]>',
        # an external DTD fetched from the network
        '<!DOCTYPE OFX SYSTEM "http://127.0.0.1:9/ofx.dtd">',
    ],
)
def test_a_hostile_ofx_2_file_is_refused_before_any_entity_is_expanded(doctype):
    hostile = XML_V2.split("\n", 2)[2].replace("<MEMO>Depósito &lt;caixa&gt; — ação</MEMO>", "<MEMO>&d;</MEMO>")

    with pytest.raises(OfxError) as err:
        read_ofx((_HOSTILE_HEAD + doctype + "\n" + hostile).encode("utf-8"))

    assert "OFX" in err.value.message and "DOCTYPE" in err.value.message


def test_an_ofx_2_file_with_an_undeclared_entity_or_broken_xml_is_refused():
    undeclared = XML_V2.replace("&lt;caixa&gt;", "&d;")
    broken = XML_V2.replace("</STMTTRN>", "")

    for data in (undeclared, broken):
        with pytest.raises(OfxError) as err:
            read_ofx(data.encode("utf-8"))
        assert "XML" in err.value.message


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"Data;Historico;Valor\n01/11/2026;PIX;100,00\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"<html><body>Extrato</body></html>",
        b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>",
    ],
)
def test_what_is_not_an_ofx_statement_is_refused_with_a_clear_message(content):
    with pytest.raises(OfxError) as err:
        read_ofx(content)

    assert "OFX" in err.value.message


def test_a_line_with_an_unreadable_amount_refuses_the_file_naming_the_line():
    bad = LATIN1_SGML.replace("<TRNAMT>-89,90", "<TRNAMT>noventa")

    with pytest.raises(OfxError) as err:
        read_ofx(bad.encode("latin-1"))

    assert err.value.details[0]["line"] == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3444.80", "3444.80"),
        ("-22,25", "-22.25"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("+10,5", "10.5"),
        (" -100.00 ", "-100.00"),
        ("100", "100"),
        ("abc", None),
        ("1e5", None),
        ("", None),
    ],
)
def test_amounts(text, expected):
    assert parse_amount(text) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20140305120000[-3:BRT]", date(2014, 3, 5)),
        ("20261102235959[-3:BRT]", date(2026, 11, 2)),  # the bank's day, not UTC's
        ("20131209100000[-03:EST]", date(2013, 12, 9)),
        ("20261105120000.000[-03:EST]", date(2026, 11, 5)),
        ("20261104", date(2026, 11, 4)),
        ("202611041530", date(2026, 11, 4)),
        ("20261304", None),
        ("ontem", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected
