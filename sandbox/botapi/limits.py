"""Flood limits as Telegram applies them to a bot's outgoing messages.

Telegram documents "about one message a second" per chat and about 30 a second
overall, and tolerates short bursts. Both limits are sliding windows here: at most
`per_chat_burst` messages in any `per_chat_window_s` seconds per chat, and at most
`global_burst` in any `global_window_s` overall. With the defaults a bot that answers
each update with one to three messages never trips as long as the person takes a
second between updates (the driver advances a ManualClock by its think time).
A group or channel (negative chat id) may get at most `group_burst` messages in any
`group_window_s` (Telegram: 20 a minute). `refusals` lists every 429 answered, with
the limit that caused it ("chat", "group" or "global"), so tests can tell them apart.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from . import errors, events


@dataclass(frozen=True)
class RateLimits:
    """Per-server flood limits; `RateLimits.off()` disables them."""

    per_chat_burst: int = 3
    per_chat_window_s: float = 1.0
    global_burst: int = 30
    global_window_s: float = 1.0
    group_burst: int = 20
    group_window_s: float = 60.0
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
        self.refusals: list[tuple[int, str]] = []  # (chat_id, "chat" | "group" | "global") per 429

    def retry_after_s(self, chat_id: int) -> int | None:
        """Seconds to wait before this chat may get another message, or None if it may now."""
        if not self.limits.enabled:
            return None
        now = self._clock()
        chat_sends = self._per_chat.setdefault(chat_id, deque())
        waits = []
        if chat_id < 0:
            chat_limit = ("group", self.limits.group_burst, self.limits.group_window_s)
        else:
            chat_limit = ("chat", self.limits.per_chat_burst, self.limits.per_chat_window_s)
        for scope, sends, burst, window in (
            (chat_limit[0], chat_sends, chat_limit[1], chat_limit[2]),
            ("global", self._global, self.limits.global_burst, self.limits.global_window_s),
        ):
            # The chat's window is the longer one for a group; keep what the longest window needs.
            keep = max(window, self.limits.group_window_s) if sends is chat_sends else window
            while sends and sends[0] <= now - keep:
                sends.popleft()
            recent = [t for t in sends if t > now - window] if keep != window else sends
            if len(recent) >= burst:
                waits.append((recent[len(recent) - burst] + window - now, scope))
        if not waits:
            return None
        wait, scope = max(waits)
        self.refusals.append((chat_id, scope))
        # Telegram answers whole seconds, never 0.
        return max(1, math.ceil(wait))

    def record(self, chat_id: int) -> None:
        if not self.limits.enabled:
            return
        now = self._clock()
        self._per_chat.setdefault(chat_id, deque()).append(now)
        self._global.append(now)


class FloodChecks:
    """The limits as the server's methods apply them (a BotApiServer mixin)."""

    def _check_flood(self, chat_id: int) -> None:
        retry_after_s = self.flood.retry_after_s(chat_id)
        if retry_after_s is not None:
            self._publish(events.RATE_LIMITED, chat_id, {"retry_after": retry_after_s})
            raise errors.too_many_requests(retry_after_s)
        self.flood.record(chat_id)
