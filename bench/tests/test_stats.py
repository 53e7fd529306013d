import pytest

from bench.stats import latency_summary, percentile, ratio


def test_percentile_interpolates_between_closest_ranks():
    values = [1, 2, 3, 4]
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 4
    assert percentile(values, 50) == 2.5
    assert percentile(values, 25) == pytest.approx(1.75)


def test_percentile_ignores_input_order():
    assert percentile([9, 1, 5, 3, 7], 50) == 5


def test_percentile_of_one_value_is_that_value():
    assert percentile([0.25], 99) == 0.25


def test_percentile_of_nothing_is_none():
    assert percentile([], 50) is None


def test_percentile_rejects_out_of_range():
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_latency_summary_reports_milliseconds():
    summary = latency_summary([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert summary["p50_ms"] == 50.5
    assert summary["p99_ms"] == 99.0
    assert summary["max_ms"] == 100.0


def test_ratio_is_none_without_a_reference():
    assert ratio(10, 0) is None
    assert ratio(None, 5) is None
    assert ratio(10, 4) == 2.5
