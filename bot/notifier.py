"""A paced sender for notifications and broadcasts (the outbox's sending side).

PTB's AIORateLimiter does not keep 1 message/second per private chat, and one
RetryAfter would pause everything; notifications (an offer filled, a broadcast)
go through here instead: at most `overall_per_s` messages a second overall
(Telegram allows about 30; we keep a margin), at most one per chat per
`per_chat_interval_s`, and a 429's retry_after is honoured for that message
before it is tried again. Messages to a chat that is waiting do not hold up
other chats. Time comes from `clock`/`sleep`, so tests need no real waiting.

Later issues feed it from an outbox table written in the same transaction as
the change it reports (never send to Telegram inside a transaction).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import Forbidden, RetryAfter

log = logging.getLogger(__name__)

Send = Callable[..., Awaitable[Any]]


@dataclass
class Outgoing:
    chat_id: int
    text: str
    options: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


@dataclass
class Report:
    sent: int = 0
    blocked: list[int] = field(default_factory=list)  # chats that blocked the bot
    retry_after_waits: list[float] = field(default_factory=list)


class PacedSender:
    """Queue messages with `add`, send them all with `drain` (see the module docstring)."""

    def __init__(
        self,
        send: Send,
        *,
        overall_per_s: float = 25.0,
        per_chat_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        max_attempts: int = 5,
    ) -> None:
        self._send = send  # e.g. application.bot.send_message
        self.overall_interval_s = 1.0 / overall_per_s
        self.per_chat_interval_s = per_chat_interval_s
        self._clock = clock
        self._sleep = sleep
        self.max_attempts = max_attempts
        self._queue: deque[Outgoing] = deque()
        self._chat_ready_at: dict[int, float] = {}
        self._next_send_at = 0.0

    def add(self, chat_id: int, text: str, **options: Any) -> None:
        self._queue.append(Outgoing(chat_id, text, options))

    def __len__(self) -> int:
        return len(self._queue)

    def _next_ready(self) -> tuple[Outgoing | None, float]:
        """The first queued message whose chat may get one now, else the earliest wait."""
        now = self._clock()
        earliest = float("inf")
        for item in self._queue:
            ready_at = self._chat_ready_at.get(item.chat_id, 0.0)
            if ready_at <= now:
                return item, 0.0
            earliest = min(earliest, ready_at - now)
        return None, earliest

    async def drain(self) -> Report:
        report = Report()
        while self._queue:
            item, wait = self._next_ready()
            if item is None:
                await self._sleep(wait)
                continue
            overall_wait = self._next_send_at - self._clock()
            if overall_wait > 0:
                await self._sleep(overall_wait)
            self._queue.remove(item)
            item.attempts += 1
            try:
                await self._send(chat_id=item.chat_id, text=item.text, **item.options)
            except RetryAfter as exc:
                retry_s = float(exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else exc.retry_after)
                report.retry_after_waits.append(retry_s)
                log.info("429 for chat %s: waiting %.0f s", item.chat_id, retry_s)
                if item.attempts < self.max_attempts:
                    self._queue.appendleft(item)
                await self._sleep(retry_s)  # Telegram asks the whole bot to wait
                continue
            except Forbidden:
                report.blocked.append(item.chat_id)
                continue
            finally:
                now = self._clock()
                self._next_send_at = now + self.overall_interval_s
                self._chat_ready_at[item.chat_id] = now + self.per_chat_interval_s
            report.sent += 1
        return report
