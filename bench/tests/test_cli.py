import pytest

from bench import scenarios  # noqa: F401 - registers the scenarios
from bench.cli import parse
from bench.registry import NOT_LANDED, SCENARIOS, Figure, Outcome


def test_quick_is_a_tiny_smoke_that_leaves_benchmarks_md_alone():
    args = parse(["--quick"])
    assert args.scale == 0.01 and args.seconds == 3 and args.clients == 4
    assert args.markdown is False
    assert args.db == "sqlite"


def test_full_run_defaults_to_scale_one_and_writes_markdown():
    args = parse(["--db", "postgres"])
    assert args.scale == 1 and args.seconds == 15 and args.clients == 8 and args.markdown is True


def test_a_run_of_some_scenarios_does_not_replace_the_committed_table():
    assert parse(["reports", "--db", "postgres"]).markdown is False
    assert parse(["reports", "--markdown"]).markdown is True


def test_unknown_scenarios_and_unbounded_loads_are_refused():
    with pytest.raises(SystemExit):
        parse(["nope"])
    with pytest.raises(SystemExit):
        parse(["--clients", "500"])


def test_every_scenario_has_landed_and_memory_runs_last():
    assert [name for name, sc in SCENARIOS.items() if sc.run is None] == []
    names = list(SCENARIOS)
    assert names[0] == "baseline" and names[-1] == "memory"
    assert names.index("reserve") < names.index("intake") and names.index("sefaz") < names.index("big-order")
    assert NOT_LANDED == "not landed"


def test_outcome_json_carries_the_ratios():
    data = Outcome(figures=[Figure("x", 50.0, "req/s", floor=200.0, db_limit=1000.0)]).to_json()
    assert data["figures"][0]["vs_floor"] == 0.25
    assert data["figures"][0]["vs_db"] == 0.05


def test_kardex_cursor_matches_the_projects_keyset_pagination():
    from bench.scenarios.reports import cursor_after
    from retaguarda.core.pagination import _decode

    assert _decode(cursor_after(123456)) == [123456]
