from bench.registry import NOT_LANDED, Figure, Outcome
from bench.report import number, render_section, replace_section


def run_record(vendor="postgres"):
    return {
        "started_at": "2026-11-28T10:00:00Z",
        "seconds": 321.4,
        "scale": 1.0,
        "seed": 1,
        "database": {"vendor": vendor, "version": "PostgreSQL 15.8"},
        "machine": {
            "commit": "abc123",
            "cores": 2,
            "cpu": "AMD EPYC",
            "memory_gib": 23.5,
            "python": "3.13.1",
            "django": "6.1.3",
            "load_average_at_start": [0.5, 0.4, 0.3],
        },
        "dataset": {
            "built": {"products": {"rows": 10000, "path": "bulk_create", "seconds": 2.5}},
            "missing": {"orders": "sales has not landed"},
        },
    }


def outcomes():
    return {
        "baseline": Outcome(
            figures=[
                Figure("database limit", 2700.0, "tx/s", higher_is_better=True),
                Figure("floor: 5-line orders/s", 150.0, "req/s", higher_is_better=True, db_limit=2700.0),
            ]
        ),
        "receipt": Outcome(figures=[Figure("receipt: queries", 13, "queries", floor=9)]),
        "reserve": Outcome(
            figures=[Figure("reservations/s", 120.0, "req/s", higher_is_better=True, floor=240.0, target="≥ 50/s")],
            errors=0,
            oversells=2,
        ),
        "intake": Outcome(status=NOT_LANDED, note="needs sales"),
    }


def test_small_ratios_keep_two_significant_digits():
    from bench.report import times

    assert times(0.0014) == "0.0014x"
    assert times(0.5) == "0.50x"
    assert times(None) == "—"


def test_number_formatting():
    assert number(None) == "—"
    assert number(1234.56) == "1,235"
    assert number(12.345) == "12.3"
    assert number(1.2345) == "1.23"


def test_section_shows_ratios_targets_and_honest_statuses():
    text = render_section(run_record(), outcomes())
    assert "### PostgreSQL, scale 1" in text
    assert "commit `abc123`" in text and "2 cores, AMD EPYC" in text
    assert "| reserve | reservations/s | 120 req/s | 240 req/s | 0.50x |" in text
    assert "| 0.056x |" in text  # 150 / 2,700 of the database limit
    assert "**2 oversells**" in text
    assert "| 13 queries | 9 queries | 1.44x |" in text
    assert "| intake | — |" in text and "not landed: needs sales" in text
    assert "orders (sales has not landed)" in text


def test_replace_section_appends_then_replaces_only_its_database():
    doc = "# Benchmarks\n\nIntro.\n"
    doc = replace_section(doc, "postgres", "PG ONE")
    doc = replace_section(doc, "sqlite", "LITE ONE")
    doc = replace_section(doc, "postgres", "PG TWO")
    assert doc.startswith("# Benchmarks\n\nIntro.\n")
    assert "PG ONE" not in doc and "PG TWO" in doc and "LITE ONE" in doc
    assert doc.count("<!-- bench:postgres:begin -->") == 1
    assert doc.index("PG TWO") < doc.index("LITE ONE")
