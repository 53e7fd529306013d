"""SQLite's cursor keeps each statement's `?` form: the same answers as Django's conversion, short texts kept."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cursor"),
]


def test_statements_convert_as_djangos_and_short_ones_are_kept():
    from retaguarda.core.sqlite.base import CACHED_TEXT, _qmark

    _qmark.cache_clear()
    short = "SELECT %s, '%%', %s || 'x'"
    long = "SELECT %s" + ", %s" * (CACHED_TEXT // 4)
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute(short, ["a", "b"])
            assert cursor.fetchone() == ("a", "%", "bx")
        values = list(range(CACHED_TEXT // 4 + 1))
        cursor.execute(long, values)
        assert list(cursor.fetchone()) == values
        cursor.execute("SELECT %(n)s", {"n": 5})  # Django's named style still goes its own way
        assert cursor.fetchone() == (5,)
    info = _qmark.cache_info()
    assert (info.misses, info.hits) == (1, 2)  # the short text converted once; the long one never kept
