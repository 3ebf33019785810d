"""The benchmarks run at a tiny size in `make test` (so they cannot rot) and at
full size under `make bench` (`pytest -m slow -s tests/test_benchmarks.py`).
No timing is asserted: the figures go to docs/PERFORMANCE.md."""

from __future__ import annotations

import os

import pytest

from benchmarks import ledger as ledger_bench

DB_KINDS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])


@pytest.mark.parametrize("engine", DB_KINDS)
def test_the_ledger_benchmark_runs_at_a_tiny_size_and_both_sides_verify(engine):
    result = ledger_bench.run(200, engine)
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
