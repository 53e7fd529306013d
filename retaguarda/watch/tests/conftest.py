"""A rule the tests control: `fake_rule.found` maps subject id -> a number; each run finds exactly those."""

import pytest

from retaguarda.core.actor import Actor, Origin
from retaguarda.watch import registry
from retaguarda.watch.registry import Finding, Rule, integer
from retaguarda.watch.states import Severity

CODE = "test.fake"


class FakeRule:
    def __init__(self):
        self.found: dict[int, int] = {}
        self.calls: list[tuple[int, dict]] = []

    def find(self, company_id, params):
        self.calls.append((company_id, dict(params)))
        return [
            Finding("test.thing", k, f"Coisa {k}", {"n": integer(v, "N")}, f"/coisa/{k}/")
            for k, v in self.found.items()
        ]


@pytest.fixture
def fake_rule():
    fake = FakeRule()
    registry.register(
        Rule(
            CODE,
            "Coisa com problema",
            "stock",
            Severity.HIGH,
            fake.find,
            "N vale %(n)s",
            ("Primeiro passo", "Segundo passo"),
            (registry.Param("limit", "Limite", 5),),
        )
    )
    yield fake
    registry.REGISTRY.pop(CODE, None)


@pytest.fixture
def system(company):
    return Actor.system(company_id=company.pk)


@pytest.fixture
def run(company):
    from retaguarda.watch import services

    def go(codes=(CODE,), **kwargs):
        return services.evaluate(company.pk, codes=list(codes), **kwargs)

    return go


@pytest.fixture
def stock_user(make_user):
    return make_user("stock", username="estoque")


@pytest.fixture
def stock_actor(stock_user, company):
    return Actor(stock_user, Origin.WEB, company.pk)
