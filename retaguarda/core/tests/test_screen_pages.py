"""`core.pagination.screen_page`: what every list page shares (the rows, the total, both neighbours)."""

import pytest
from django.test import RequestFactory

from retaguarda.core import audit, pagination
from retaguarda.core.models import AuditRecord
from retaguarda.core.pagination import requested_limit, screen_page

pytestmark = pytest.mark.django_db


def _get(**params):
    return RequestFactory().get("/list", params)


def _actions(listing):
    return [r.action for r in listing["rows"]]


def test_a_list_walks_forward_and_back_with_its_total(actor, company):
    for i in range(7):
        audit.record(actor, company, f"w{i}")
    qs = AuditRecord.objects.filter(action__startswith="w")

    first = screen_page(_get(limit="3", q="w"), qs)
    assert _actions(first) == ["w6", "w5", "w4"]
    assert first["window"].total == 7 and first["window"].previous_cursor is None
    assert first["query"] == "limit=3&q=w"
    second = screen_page(_get(limit="3", cursor=first["window"].next_cursor), qs)
    last = screen_page(_get(limit="3", cursor=second["window"].next_cursor), qs)
    assert _actions(second) == ["w3", "w2", "w1"] and _actions(last) == ["w0"]
    assert last["window"].next_cursor is None
    back = screen_page(_get(limit="3", cursor=last["window"].previous_cursor), qs)
    assert _actions(back) == _actions(second)
    start = screen_page(_get(limit="3", cursor=back["window"].previous_cursor), qs)
    assert _actions(start) == _actions(first) and start["window"].previous_cursor is None


def test_a_cursor_that_cannot_be_read_starts_at_the_first_page(actor, company):
    for i in range(3):
        audit.record(actor, company, f"c{i}")
    listing = screen_page(_get(cursor="!!!", limit="2"), AuditRecord.objects.filter(action__startswith="c"))
    assert _actions(listing) == ["c2", "c1"] and listing["window"].previous_cursor is None


def test_the_count_stops_at_the_cap_and_says_more_than(actor, company, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    for i in range(6):
        audit.record(actor, company, f"m{i}")
    window = screen_page(_get(limit="2"), AuditRecord.objects.filter(action__startswith="m"))["window"]
    assert window.total == 4 and window.more_than_total
    exact = screen_page(_get(limit="2"), AuditRecord.objects.filter(action__in=["m0", "m1", "m2"]))["window"]
    assert exact.total == 3 and not exact.more_than_total


@pytest.mark.parametrize(
    ("value", "sizes", "expected"),
    [("", None, 50), ("abc", None, 50), ("0", None, 1), ("500", None, 200), ("20", None, 20), ("20", (25, 50), 50)],
)
def test_the_page_size_asked_for_stays_within_bounds(value, sizes, expected):
    assert requested_limit(_get(limit=value), 50, sizes=sizes) == expected
