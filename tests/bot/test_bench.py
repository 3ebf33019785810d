"""The bot benchmark runs at a tiny size in `make test` (no timing asserted) and in full under slow."""

from __future__ import annotations

import pytest

from benchmarks.bot import compare, run_bot

# Copy the suite's migrated databases instead of migrating new ones (7 s each).
pytestmark = pytest.mark.usefixtures("bench_templates")


async def test_the_bot_benchmark_runs_at_a_tiny_size():
    assert await run_bot(n_updates=120, n_chats=100) > 0


@pytest.mark.slow
async def test_the_bot_benchmark_at_full_size_reports_the_ratio_to_the_echo_bot():
    result = await compare(n_updates=1000, n_chats=100)
    print(f"\nbot benchmark: echo {result['echo_ms']:.2f} ms, bot {result['bot_ms']:.2f} ms, "
          f"ratio {result['ratio']:.2f} (target 1.5)")
    assert result["ratio"] > 0
