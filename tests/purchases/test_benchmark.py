"""The buying benchmark runs (tiny in make test, full under -m slow; no timing gates)."""

import pytest

from benchmarks.purchases import run_purchases


async def test_the_purchase_benchmark_runs_at_a_tiny_size(db):
    figures = await run_purchases(3, n_renders=2)
    assert figures.purchases == 3 and figures.render_p50_ms > 0


@pytest.mark.slow
async def test_the_purchase_benchmark_at_full_size(db):
    if not db.startswith("sqlite"):
        pytest.skip("the recorded figures are on SQLite")
    figures = await run_purchases(500, n_renders=100)
    print("\nbuying:", figures.text())
