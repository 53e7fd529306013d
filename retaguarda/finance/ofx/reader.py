"""Statements out of the OFX tree: bank (`STMTRS`) and credit card (`CCSTMTRS`) statements, any number
per file, each with its account, period, balance and transactions."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.xml_safe import XmlRejected
from retaguarda.finance.ofx.text import MAX_BYTES, decode
from retaguarda.finance.ofx.tree import Node, parse, parse_xml_document
from retaguarda.finance.ofx.values import parse_amount, parse_date


class OfxError(ValueError):
    """The file is not an OFX statement we can read; `message` says why, in Portuguese."""

    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class OfxTransaction:
    fitid: str
    posted: date
    amount: Decimal
    type: str = ""
    memo: str = ""
    name: str = ""
    check_number: str = ""
    ref_number: str = ""


@dataclass
class OfxStatement:
    kind: str  # "bank" or "creditcard"
    bank_id: str
    branch_id: str
    account_id: str
    account_type: str
    currency: str
    start: date | None
    end: date | None
    ledger_balance: Decimal | None
    ledger_balance_date: date | None
    transactions: list[OfxTransaction] = field(default_factory=list)


@dataclass
class OfxFile:
    version: int
    encoding: str
    organization: str
    statements: list[OfxStatement]


def read_ofx(data: bytes) -> OfxFile:
    if len(data) > MAX_BYTES:
        raise OfxError(_("The file is too large for a bank statement (20 MB at most)."))
    decoded = decode(data)
    if decoded is None:
        raise OfxError(_("The file is not an OFX bank statement."))
    if decoded.version == 2:
        try:
            # Re-encoded as UTF-8, accented text can take up to twice the file's bytes.
            root = parse_xml_document(decoded.document, max_bytes=2 * MAX_BYTES)
        except XmlRejected as exc:
            raise OfxError(_("The OFX 2 (XML) file was refused: %(reason)s") % {"reason": exc.message}) from None
    else:
        root = parse(decoded.body)
    ofx = root.find("OFX")
    if ofx is None:
        raise OfxError(_("The file is not an OFX bank statement."))
    statements = []
    problems: list[dict] = []
    for node in ofx.iter("STMTRS"):
        statements.append(_statement(node, "bank", node.find("BANKACCTFROM"), problems))
    for node in ofx.iter("CCSTMTRS"):
        statements.append(_statement(node, "creditcard", node.find("CCACCTFROM"), problems))
    if problems:
        raise OfxError(_("The statement has lines that cannot be read."), problems)
    if not statements:
        raise OfxError(_("The OFX file holds no bank or credit card statement."))
    sonrs = ofx.find("SONRS")
    organization = sonrs.value("ORG") if sonrs is not None else ""
    return OfxFile(decoded.version, decoded.encoding, organization, statements)


def _statement(node: Node, kind: str, account: Node | None, problems: list[dict]) -> OfxStatement:
    account = account or Node("ACCTFROM")
    transactions_node = node.find("BANKTRANLIST") or Node("BANKTRANLIST")
    balance = node.find("LEDGERBAL") or Node("LEDGERBAL")
    statement = OfxStatement(
        kind=kind,
        bank_id=account.value("BANKID"),
        branch_id=account.value("BRANCHID"),
        account_id=account.value("ACCTID"),
        account_type=account.value("ACCTTYPE") or ("CREDITCARD" if kind == "creditcard" else ""),
        currency=node.value("CURDEF") or "BRL",
        start=parse_date(transactions_node.value("DTSTART")),
        end=parse_date(transactions_node.value("DTEND")),
        ledger_balance=parse_amount(balance.value("BALAMT")),
        ledger_balance_date=parse_date(balance.value("DTASOF")),
    )
    seen: dict[str, int] = {}
    for n, trn in enumerate(transactions_node.iter("STMTTRN"), start=1):
        posted = parse_date(trn.value("DTPOSTED") or trn.value("DTUSER"))
        amount = parse_amount(trn.value("TRNAMT"))
        where = f"{statement.account_id or kind}, {_('line')} {n}"
        if posted is None:
            problems.append(
                {
                    "field": "DTPOSTED",
                    "line": n,
                    "message": _("%(where)s: invalid date “%(value)s”.")
                    % {"where": where, "value": trn.value("DTPOSTED")},
                }
            )
            continue
        if amount is None or (amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01"))):
            problems.append(
                {
                    "field": "TRNAMT",
                    "line": n,
                    "message": _("%(where)s: invalid amount “%(value)s”.")
                    % {"where": where, "value": trn.value("TRNAMT")},
                }
            )
            continue
        amount = amount.quantize(Decimal("0.01"))
        memo = " ".join(trn.value("MEMO").split())
        name = " ".join((trn.value("NAME") or trn.value("PAYEE")).split())
        fitid = trn.value("FITID").strip()
        if not fitid:
            # No FITID (it happens): a stable id from the line's content, so a re-import still deduplicates.
            fitid = (
                "sem-fitid-"
                + hashlib.sha256(f"{posted}|{amount}|{memo}|{name}|{trn.value('CHECKNUM')}".encode()).hexdigest()[:24]
            )
        # The same FITID twice in one file for different lines (some banks do it): number the repeats.
        seen[fitid] = seen.get(fitid, 0) + 1
        if seen[fitid] > 1:
            fitid = f"{fitid}#{seen[fitid]}"
        statement.transactions.append(
            OfxTransaction(
                fitid=fitid[:255],
                posted=posted,
                amount=amount,
                type=trn.value("TRNTYPE").upper()[:20],
                memo=memo[:255],
                name=name[:255],
                check_number=trn.value("CHECKNUM")[:40],
                ref_number=trn.value("REFNUM")[:40],
            )
        )
    return statement
