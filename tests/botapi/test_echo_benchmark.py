from benchmarks.echo_bot import run_echo_baseline


async def test_the_echo_baseline_runs_at_a_tiny_size():
    assert await run_echo_baseline(n_updates=200, n_chats=100) > 0
