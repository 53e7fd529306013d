"""Benchmark harness: `python -m bench [scenario ...] [--db sqlite|postgres] [--scale S] [--quick]`.

Each run builds a fresh database with a seeded dataset, runs the scenarios, and reports every figure
beside the limits measured in the same run (the database's own limit and a bare Django floor), so the
ratios hold on a noisy machine even when absolute times wander. See BENCHMARKS.md.
"""
