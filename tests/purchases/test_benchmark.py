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


async def test_the_payment_to_certificate_benchmark_runs_at_a_tiny_size(db):
    from benchmarks.certificate_latency import run_latency

    figures = await run_latency(2)
    assert figures.payments == 2 and figures.render_p50_ms > 0
    assert figures.payment_to_png_p50_ms >= figures.render_p50_ms * 0.5 and figures.first_cold_ms > 0


@pytest.mark.slow
async def test_the_payment_to_certificate_benchmark_at_full_size(db):
    if not db.startswith("sqlite"):
        pytest.skip("the recorded figures are on SQLite")
    from benchmarks.certificate_latency import run_latency

    figures = await run_latency(100, fresh_processes=5)
    print("\npayment -> certificate:", figures.text())
