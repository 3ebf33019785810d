"""Flood limits as Telegram applies them to a bot's outgoing messages.

Telegram documents "about one message a second" per chat and about 30 a second
overall, and tolerates short bursts. Both limits are sliding windows here: at most
`per_chat_burst` messages in any `per_chat_window_s` seconds per chat, and at most
`global_burst` in any `global_window_s` overall. With the defaults a bot that answers
each update with one to three messages never trips as long as the person takes a
second between updates (the driver advances a ManualClock by its think time).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Per-server flood limits; `RateLimits.off()` disables them."""

    per_chat_burst: int = 3
    per_chat_window_s: float = 1.0
    global_burst: int = 30
    global_window_s: float = 1.0
    enabled: bool = True

    @classmethod
    def off(cls) -> RateLimits:
        return cls(enabled=False)


class FloodControl:
    """Counts sends on the clock and says how long to wait when one is over a limit."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._per_chat: dict[int, deque[float]] = {}
        self._global: deque[float] = deque()

    def retry_after_s(self, chat_id: int) -> int | None:
        """Seconds to wait before this chat may get another message, or None if it may now."""
        if not self.limits.enabled:
            return None
        now = self._clock()
        chat_sends = self._per_chat.setdefault(chat_id, deque())
        waits = []
        for sends, burst, window in (
            (chat_sends, self.limits.per_chat_burst, self.limits.per_chat_window_s),
            (self._global, self.limits.global_burst, self.limits.global_window_s),
        ):
            while sends and sends[0] <= now - window:
                sends.popleft()
            if len(sends) >= burst:
                waits.append(sends[len(sends) - burst] + window - now)
        if not waits:
            return None
        # Telegram answers whole seconds, never 0.
        return max(1, math.ceil(max(waits)))

    def record(self, chat_id: int) -> None:
        if not self.limits.enabled:
            return
        now = self._clock()
        self._per_chat.setdefault(chat_id, deque()).append(now)
        self._global.append(now)
