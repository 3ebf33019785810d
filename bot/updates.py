"""Updates of different chats at once, updates of one chat in the order they came.

PTB's `Application` creates one task per update in the order it takes them off
the update queue; each task enters `BaseUpdateProcessor.process_update`, which
takes PTB's semaphore (an `asyncio.Semaphore`: first come, first served) and
then calls `do_process_update`. There, before any other await, the task queues
on its chat's `asyncio.Lock` (also first come, first served). So the tasks of
one chat reach their lock in update order, and each runs only after the one
before it has finished: one chat is handled strictly in order, as it was with
`concurrent_updates` off. Only then does a task take one of `max_running`
slots, so a chat that floods the bot waits on its own lock without holding the
slots other chats need.

The key is the chat id, else the user id (a pre-checkout query has no chat; in
a private chat both ids are the same number, so a payment step queues behind
that person's messages). An update with neither runs without a lock. A chat's
lock exists only while some update of that chat is queued or running, so the
table does not grow with the number of chats ever seen.

Why this is safe for the rest of the bot (see docs/PERFORMANCE.md, "Bot"):
ConversationHandler keeps its state per (chat, user) and reads it before a
callback, writes it after: two updates of one conversation at once would both
see the old state, which is why PTB warns against concurrent updates. Every
conversation here is per chat, so its updates share a lock and never overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_RUNNING = 32
# PTB's own bound: updates past it wait at its semaphore (in order) before they
# even queue for their chat. Large, because a queued update costs only a task.
MAX_ADMITTED = 1024


def ordering_key(update: object) -> int | None:
    """The chat id, else the user id, else None (no order to keep)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _ChatLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # updates of this chat queued or running


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one chat (see the module docstring)."""

    def __init__(self, max_running: int = MAX_RUNNING, max_admitted: int = MAX_ADMITTED) -> None:
        super().__init__(max(max_admitted, max_running))
        self.max_running = max_running
        self._running = asyncio.BoundedSemaphore(max_running)
        self._locks: dict[int, _ChatLock] = {}

    @property
    def chats_in_flight(self) -> int:
        """How many chats have an update queued or running (the size of the lock table)."""
        return len(self._locks)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Nothing may be awaited before lock.acquire(): that await is what fixes the order.
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _ChatLock()
        entry.users += 1
        try:
            async with entry.lock, self._running:
                await coroutine
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB awaits the update tasks itself on stop."""
