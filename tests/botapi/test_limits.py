"""Flood limits of the stand-in: per private chat, per group (20 a minute), overall; and which one refused."""

from __future__ import annotations

from sandbox.botapi import ManualClock, RateLimits
from sandbox.botapi.limits import FloodControl


def _send(flood: FloodControl, chat_id: int) -> int | None:
    wait = flood.retry_after_s(chat_id)
    if wait is None:
        flood.record(chat_id)
    return wait


def test_a_group_gets_20_messages_a_minute_then_a_429_with_retry_after():
    clock = ManualClock()
    flood = FloodControl(RateLimits(), clock)
    group = -100123
    for _ in range(20):
        assert _send(flood, group) is None
        clock.advance(1.0)  # one a second: fine in a private chat, too fast for a group
    wait = _send(flood, group)
    assert wait is not None and 1 <= wait <= 40
    assert flood.refusals == [(group, "group")]
    clock.advance(wait)
    assert _send(flood, group) is None


def test_a_refusal_says_whether_the_chat_or_the_whole_bot_was_over_its_limit():
    clock = ManualClock()
    flood = FloodControl(RateLimits(per_chat_burst=1, global_burst=3), clock)
    assert _send(flood, 1) is None
    assert _send(flood, 1) == 1
    assert _send(flood, 2) is None and _send(flood, 3) is None
    assert _send(flood, 4) == 1
    assert flood.refusals == [(1, "chat"), (4, "global")]
