"""Feeding the bot from the durable inbox (core/inbox): no acknowledged update is lost.

PTB's Updater confirms an update's offset on its next getUpdates, before the
handlers have finished; a crash then loses the update (a paid one included).
So the Application is built without an Updater and this runner does the work:

- **poll** (long polling): getUpdates, write the batch to the inbox in one
  transaction, and only then ask for the next offset, which acknowledges it.
  With a webhook, web/app.py writes the update before it answers 200.
- **process**: hand pending rows to the Application in update_id order, through
  its update processor (bot/updates.py: chats at once, one chat in order), and
  mark each done after its handlers ran. A crash leaves rows pending; the next
  process handles them again (handlers are idempotent: payments by charge id,
  postings by key). An id already in the inbox is never handled twice.

Both run only in the process that holds the `bot` lease (a row with an expiry,
renewed every third of LEASE_TTL_S): a second process waits as a standby and
takes over when the first stops renewing. `application.process_update(update)`
still handles an update at once (tests, tools), without the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from datetime import timedelta

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.updates import ordering_key
from core import inbox
from core.clock import utcnow

log = logging.getLogger(__name__)

LEASE_NAME = "bot"
LEASE_TTL_S = 15.0
POLL_TIMEOUT_S = 30
IDLE_RECHECK_S = 0.5  # how often a processor looks for rows another process wrote
BATCH = 100
KEEP_HANDLED = timedelta(days=2)  # Telegram redelivers an unacknowledged update for a day


def new_holder() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def _is_dead_here(holder: str) -> bool:
    """True when `holder` is a process on this machine that no longer runs (it crashed)."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:32] or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as someone else
        return False
    return False


def chat_of(update: Update) -> int | None:
    return ordering_key(update)


class InboxRunner:
    """Poll (optionally) and process the inbox while this process holds the lease."""

    def __init__(
        self,
        application: Application,
        *,
        poll: bool,
        holder: str | None = None,
        lease_ttl_s: float = LEASE_TTL_S,
        poll_timeout_s: int = POLL_TIMEOUT_S,
        idle_recheck_s: float = IDLE_RECHECK_S,
    ) -> None:
        self.application = application
        self.poll = poll
        self.holder = holder or new_holder()
        self.lease_ttl_s = lease_ttl_s
        self.poll_timeout_s = poll_timeout_s
        self.idle_recheck_s = idle_recheck_s
        self.is_leader = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()  # set when a pass found nothing to hand out and nothing runs
        self._stopping = False
        self._tasks: list[asyncio.Task] = []
        self._in_flight: dict[int, asyncio.Task] = {}

    # ---- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._keep_lease(), name="inbox-lease"),
                       loop.create_task(self._process(), name="inbox-process")]
        if self.poll:
            self._tasks.append(loop.create_task(self._poll(), name="inbox-poll"))

    async def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stop taking updates, let the ones in flight finish, give the lease up."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=timeout_s)
        if self.is_leader.is_set():
            with contextlib.suppress(Exception):
                await inbox.release_lease(LEASE_NAME, self.holder)
        self.is_leader.clear()

    def notify(self) -> None:
        """New rows were written (by the webhook or the poller of this process): look now."""
        self._idle.clear()
        self._wakeup.set()

    async def wait_idle(self) -> None:
        """Return once this process has handled every update it stored or found pending
        (the test driver's idle probe; it asks the database nothing)."""
        await self._idle.wait()

    # ---- the lease -----------------------------------------------------------------

    async def _keep_lease(self) -> None:
        while not self._stopping:
            try:
                current = await inbox.Lease.get_or_none(name=LEASE_NAME)
                if current is not None and current.holder != self.holder and _is_dead_here(current.holder):
                    # Restarted after a crash on this machine: no need to wait for the lease to lapse.
                    log.info("inbox: the lease holder %s is gone; taking over", current.holder)
                    await inbox.release_lease(LEASE_NAME, current.holder)
                held = await inbox.take_lease(LEASE_NAME, self.holder, self.lease_ttl_s)
            except Exception:  # noqa: BLE001 - the database is away: we cannot know we lead
                log.exception("inbox: could not renew the lease")
                held = False
            if held and not self.is_leader.is_set():
                log.info("inbox: %s holds the bot lease", self.holder)
                self.is_leader.set()
                self.notify()
            elif not held and self.is_leader.is_set():
                log.warning("inbox: %s lost the bot lease", self.holder)
                self.is_leader.clear()
            await asyncio.sleep(self.lease_ttl_s / 3)

    # ---- polling -------------------------------------------------------------------

    async def _poll(self) -> None:
        bot = self.application.bot
        offset = 0
        while not self._stopping:
            await self.is_leader.wait()
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self.poll_timeout_s, allowed_updates=Update.ALL_TYPES,
                    read_timeout=self.poll_timeout_s + 10,
                )
            except RetryAfter as error:
                delay = error.retry_after
                await asyncio.sleep(delay.total_seconds() if isinstance(delay, timedelta) else float(delay))
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("inbox: getUpdates failed: %s", error)
                await asyncio.sleep(1)
                continue
            if not updates:
                continue
            # Written before the next getUpdates acknowledges them: nothing acknowledged is lost.
            try:
                await inbox.store((u.update_id, chat_of(u), u.to_dict()) for u in updates)
            except Exception:  # noqa: BLE001 - the database is away: ask again, acknowledge nothing
                log.exception("inbox: could not store %d update(s); asking for them again", len(updates))
                await asyncio.sleep(1)
                continue
            offset = max(u.update_id for u in updates) + 1
            self.notify()

    # ---- processing ----------------------------------------------------------------

    async def _process(self) -> None:
        last_prune = utcnow()
        while not self._stopping:
            await self.is_leader.wait()
            self._wakeup.clear()
            try:
                rows = await self._hand_out()
            except Exception:  # noqa: BLE001 - the database is away: try again shortly
                log.exception("inbox: could not read pending updates")
                rows = []
            if not rows and not self._in_flight:
                self._idle.set()
            if not rows:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.idle_recheck_s)
            if utcnow() - last_prune > timedelta(hours=1):
                last_prune = utcnow()
                with contextlib.suppress(Exception):
                    await inbox.prune(last_prune - KEEP_HANDLED)

    async def _hand_out(self) -> list[inbox.InboxUpdate]:
        """Start a task for each pending row not in flight, in update_id order."""
        rows = await inbox.next_pending(after=self._in_flight, limit=BATCH)
        if rows:
            self._idle.clear()
        # Counted before any task starts: the tasks of one chat must reach its lock in order.
        may_run = await inbox.start_attempts([row.update_id for row in rows])
        for row in rows:
            if row.update_id not in may_run:
                log.error("inbox: update %s failed %d times; set aside", row.update_id, inbox.MAX_ATTEMPTS)
                continue
            self._in_flight[row.update_id] = asyncio.get_running_loop().create_task(self._handle(row))
        return rows

    async def _handle(self, row: inbox.InboxUpdate) -> None:
        application = self.application
        try:
            update = Update.de_json(json.loads(row.body), application.bot)
            await application.update_processor.process_update(update, application.process_update(update))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - PTB reports handler errors itself; this is the row's shape
            log.exception("inbox: update %s could not be handled", row.update_id)
        try:
            await inbox.mark_done(row.update_id)
        finally:
            self._in_flight.pop(row.update_id, None)
            self._wakeup.set()  # the processor looks again, and says idle when nothing is left
