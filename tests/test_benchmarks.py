"""The benchmarks run at a tiny size in `make test` (so they cannot rot) and at
full size under `make bench` (`pytest -m slow -s tests/test_benchmarks.py`).
No timing is asserted: the figures go to docs/PERFORMANCE.md."""

from __future__ import annotations

import os

import pytest

from benchmarks import ledger as ledger_bench

# Copy the suite's migrated databases instead of migrating new ones (7 s each).
pytestmark = pytest.mark.usefixtures("bench_templates")

DB_KINDS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])


@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_ledger_benchmark_runs_at_a_tiny_size_and_both_sides_verify(engine):
    result = ledger_bench.run(60, engine)
    assert result["verified"]
    assert result["ledger_per_s"] > 0 and result["baseline_per_s"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_ledger_benchmark_at_full_size(engine):
    result = ledger_bench.run(10_000, engine)
    print("\n" + ledger_bench.report(result))
    assert result["verified"]


def test_the_outbox_benchmark_runs_at_a_tiny_size():
    from benchmarks import outbox as outbox_bench

    result = outbox_bench.run(40, 10)
    assert result["on"]["per_s"] > 0 and result["off"]["per_s"] > 0
    assert result["on"]["simulated_per_s"] <= 25.1  # the pacing held on the simulated clock
    assert result["insert"]["ratio"] > 0


@pytest.mark.slow
def test_the_outbox_benchmark_at_full_size():
    from benchmarks import outbox as outbox_bench

    print("\n" + outbox_bench.report(outbox_bench.run(2000, 200)))


@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_market_benchmark_runs_at_a_tiny_size_and_verifies(engine):
    from benchmarks import market as market_bench

    results = market_bench.run([10, 50], 3, engine)
    assert [r["depth"] for r in results] == [10, 50]
    assert all(r["rounds_per_s"] > 0 and r["takes_per_s"] > 0 for r in results)


@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_codes_benchmark_runs_at_a_tiny_size_and_verifies(engine):
    from benchmarks import codes as codes_bench

    result = codes_bench.run(6, engine, concurrency=3, labels=24)
    assert result["verified"] and result["one_batch_per_s"] > 0 and result["separate_per_s"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_market_benchmark_at_full_size(engine):
    from benchmarks import market as market_bench

    print("\n" + market_bench.report(market_bench.run([1_000, 10_000, 100_000], 200, engine)))


@pytest.mark.slow
@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_codes_benchmark_at_full_size(engine):
    from benchmarks import codes as codes_bench

    print("\n" + codes_bench.report(codes_bench.run(400, engine, concurrency=20)))
