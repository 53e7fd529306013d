"""schemathesis over the whole OpenAPI document, signed in with a token, every check (issue 8 item 8).

Each operation gets a fixed number of generated requests, valid and invalid by the document, from a fixed
seed, so the run is the same on every machine and fits CI's time on both engines. Every answer must be
declared by the document with the body it declares, invalid data must be refused and no request may
answer 5xx. The route that revokes a token is left out (the run would revoke its own).

The requests go through Django's WSGI handler in this process, inside the test's transaction: each one in
its own savepoint, as a request of its own would be in its own transaction.
"""

import collections
import contextlib

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
# Business rules no JSON Schema can state (check digits, an id that must exist in the company, a state the
# record must be in) answer 422 to requests the document cannot call invalid: see docs/API.md.
EXCLUDED_CHECKS = ["positive_data_acceptance"]


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
    report = [f"{key}: {len(seen)}x\n{seen[0][:1200]}" for key, seen in sorted(failures.items())]
    assert not report, f"{len(report)} kinds of failure\n\n" + "\n\n".join(report[:40])


def _excluded():
    load_all_checks()
    return CHECKS.get_by_names(EXCLUDED_CHECKS)


def _fuzz(operation, mode, headers: dict, failures: dict):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    def call(case):
        try:
            with transaction.atomic():
                case.call_and_validate(headers=headers, excluded_checks=_excluded())
        except (Exception, BaseExceptionGroup) as group:  # every failure is collected, then reported
            for failure in _failures_of(group):
                title = str(failure).strip().splitlines()[0]
                failures[(operation.method.upper(), operation.path, mode.value, title)].append(str(group))

    return call
