"""schemathesis over the whole OpenAPI document, signed in with a token, every check (issue 8 item 8).

Each operation gets a fixed number of generated requests, valid and invalid by the document, from a fixed
seed, so the run is the same on every machine and fits CI's time on both engines. Every answer must be
declared by the document with the body it declares, invalid data must be refused, valid data accepted
(but on the operations `ACCEPTANCE_EXCLUDED` names, with the rule no schema states) and no request may
answer 5xx. The route that revokes a token is left out (the run would revoke its own).

The requests go through Django's WSGI handler in this process, inside the test's transaction: each one in
its own savepoint, as a request of its own would be in its own transaction.
"""

import collections
import contextlib
import uuid

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from retaguarda.access import services as access
from retaguarda.config.wsgi import application
from retaguarda.core.actor import Actor, Origin

pytestmark = pytest.mark.django_db

EXAMPLES = 5  # per operation and mode
ACCEPTANCE = "positive_data_acceptance"
# Valid data by the document must be accepted: 2xx, or 404 for an id (in the path or the body) that names no
# row of the company, 409 for a state. The document states every rule a JSON Schema can (bounds, quantities
# above zero, text that is not blank, lengths, choices); these operations keep rules none can state, and
# answer 422 to some requests it calls valid.
_TOGETHER = "fields checked together"
_DIGITS = "check digits of a document number (CNPJ, CPF)"
_TABLE = "a code must be in an official table"
_FILE = "an upload must be the file it names"
ACCEPTANCE_EXCLUDED = {
    ("GET", "/api/v1/finance/cashflow"): _TOGETHER + ": the period ends after it starts",
    ("GET", "/api/v1/finance/dre"): _TOGETHER + ": the period ends after it starts, within two years",
    ("POST", "/api/v1/access/users"): (
        "the password passes Django's validators (not too common, not all digits); a company appears once"
    ),
    ("POST", "/api/v1/companies"): _DIGITS + "; " + _TABLE + " (municipality)",
    ("POST", "/api/v1/finance/accounts"): _TOGETHER + ": a bank account names its bank",
    ("POST", "/api/v1/finance/recurring-bills"): _TOGETHER + ": the last due date is not before the first",
    ("POST", "/api/v1/finance/statements"): _FILE + " (an OFX statement)",
    ("POST", "/api/v1/finance/titles"): _TOGETHER + ": no installment is due before the issue date",
    ("POST", "/api/v1/finance/transfers"): _TOGETHER + ": two different accounts",
    ("POST", "/api/v1/fiscal/certificate"): _FILE + " (an A1 certificate, once the fiscal settings exist)",
    ("POST", "/api/v1/fiscal/contingency"): _TOGETHER + ": entering needs a reason",
    ("POST", "/api/v1/fiscal/documents"): _TOGETHER + ": an NF-e needs a recipient, a return its keys",
    ("POST", "/api/v1/fiscal/preview"): _TOGETHER + ": an NF-e needs a recipient, a return its keys",
    ("POST", "/api/v1/fiscal/tax-rules"): _TABLE + " (cClassTrib); " + _TOGETHER + ": the CST the tax takes",
    ("POST", "/api/v1/fiscal/voidings"): _TOGETHER + ": at most 10,000 numbers from first to last",
    ("PUT", "/api/v1/fiscal/csc"): "the service trims spaces and reads any Unicode digit: a pattern would be narrower",
    ("POST", "/api/v1/inventory/moves"): _TOGETHER + ": the counterpart a direction takes",
    ("POST", "/api/v1/inventory/transfers"): _TOGETHER + ": two different warehouses",
    ("POST", "/api/v1/parties"): _DIGITS,
    ("POST", "/api/v1/products"): _TABLE + " (NCM)",
    ("POST", "/api/v1/purchasing/nfe-imports"): _FILE + " (an NF-e)",
    ("PUT", "/api/v1/purchasing/cfop-map/{supplier_cfop}"): _TABLE + " (CFOP)",
    ("POST", "/api/v1/purchasing/orders"): "the expected date is not in the past (today's date)",
    ("POST", "/api/v1/purchasing/receipts"): _TOGETHER + ": lines, or the orders to receive; the NF-e key's digits",
    ("POST", "/api/v1/purchasing/suggestions/orders"): _TOGETHER + ": a product without a usual supplier names one",
    ("POST", "/api/v1/sales/channels"): "a fee of 0 to 99.99%; a code another channel has is refused (422)",
    ("POST", "/api/v1/sales/goals"): _TOGETHER + ": a salesperson's or a channel's, not both",
    ("POST", "/api/v1/sales/orders"): _TOGETHER + ": a line names its product by id or SKU (in the catalog)",
    ("POST", "/api/v1/sales/quotes"): _TOGETHER + ": a line names its product by id or SKU (in the catalog)",
    ("POST", "/api/v1/watch/routines"): _TOGETHER + ": a weekly routine names its weekday, a monthly one its day",
}


def _failures_of(group) -> list:
    return list(getattr(group, "exceptions", [group]))


@pytest.fixture
def wsgi_in_this_transaction():
    # Django's test client does the same: a finished request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_api_keeps_its_contract(make_company, make_user, wsgi_in_this_transaction):
    company = make_company()
    user = make_user("admin", companies=[company])
    _token, raw = access.issue_token(user, "schemathesis", actor=Actor(user, Origin.CLI))
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_this_transaction)

    failures = collections.defaultdict(list)
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.lower() == "delete" and operation.path.startswith("/api/v1/auth/tokens"):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with contextlib.suppress(Unsatisfiable):  # nothing to make invalid (no parameters, no body)
                _fuzz(operation, mode, headers, failures)()

    assert operations > 150  # the document really was walked
    report = [f"{key}: {len(seen)}x\n{_answer_of(seen[0])}" for key, seen in sorted(failures.items())]
    assert not report, f"{len(report)} kinds of failure\n\n" + "\n\n".join(report)


def _answer_of(failure: str) -> str:
    """The status and body a failure reports, and how to reproduce it (the rest is schemathesis' prose)."""
    start = failure.find("[")
    return failure[start : start + 900] if start >= 0 else failure[:900]


def _excluded(operation, mode, case) -> list:
    """The checks left out for this case: acceptance on the operations above, and on a page cursor the
    server did not hand out."""
    load_all_checks()
    key = (operation.method.upper(), operation.path)
    if mode is GenerationMode.NEGATIVE or key in ACCEPTANCE_EXCLUDED or _resumes(case):
        return CHECKS.get_by_names([ACCEPTANCE])
    return []


def _resumes(case) -> bool:
    """A page cursor is opaque: only one the server handed out is valid, any other string is a 422."""
    return bool((case.query or {}).get("cursor"))


def _fuzz(operation, mode, headers: dict, failures: dict):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    def call(case):
        if mode is GenerationMode.POSITIVE and "Idempotency-Key" in (case.headers or {}):
            # A client sends a fresh key per request; the generator repeats keys across cases, and a
            # repeated key with another body is rightly a 422 conflict, a rule no schema states.
            case.headers["Idempotency-Key"] = uuid.uuid4().hex
        try:
            with transaction.atomic():
                case.call_and_validate(headers=headers, excluded_checks=_excluded(operation, mode, case))
        except (Exception, BaseExceptionGroup) as group:  # every failure is collected, then reported
            for failure in _failures_of(group):
                title = str(failure).strip().splitlines()[0]
                failures[(operation.method.upper(), operation.path, mode.value, title)].append(str(group))

    return call
