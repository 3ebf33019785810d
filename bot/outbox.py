"""The outbox's sender: every message core wrote (core/outbox), paced as Telegram allows.

Each kind of message has a renderer, given by the feature that owns it, which
draws the text in the recipient's language at send time and sends it. The sender:

- sends about `rate_per_s` (25) messages a second overall, at most one a second to a
  private chat and one every 3 s to a group (20 a minute); the pacing lives in the
  database (core.outbox OutboxPace), so several processes share it;
- takes a row only with its chat's turn (core.outbox.claim_turns: `FOR UPDATE SKIP
  LOCKED` on PostgreSQL), so one chat never gets two messages at once, in order;
- marks a message sent right after Telegram accepted it: a crash between the two
  repeats at most the message in flight (its row and chat turn come back after
  `lease`); one request is in flight by default (OUTBOX_IN_FLIGHT raises it, for a
  Telegram far away: a crash may then repeat that many);
- on a 429 waits `retry_after` for that chat; when a second chat gets a 429 within
  a second, the bot as a whole is over the limit and everyone waits;
- on a 403 (the person blocked the bot) marks the user (`blocked_bot_at`) and skips
  everything waiting for them, until they /start again;
- skips a notification whose topic the person muted in /settings (state
  `skipped`, last_error `muted: <topic>`); a receipt (topic None) always goes;
- retries other errors with backoff (2, 4, 8 ... s), then marks the row failed with the
  reason (a Bad Request, which will not get better, at once).

`drain(application, chat_id=...)` runs right after an update that wrote messages for
its own chat: they are the reply to it (a receipt after a payment), sent at once in
order, without the chat's 1 s spacing (Telegram allows a short burst in a chat,
as for any reply) but never past a 429 pause or another sender's turn. The
`OutboxSender` task (started with the application, see bot/inbound.py) sends the rest.

Time comes from a `SenderClock` (now + sleep): tests give the sender and the Bot API
stand-in one simulated clock, so minutes of pacing take seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.i18n import Translator, translator
from core import outbox, users
from core.clock import utcnow
from core.outbox import OutboxMessage

log = logging.getLogger(__name__)

Renderer = Callable[[Bot, Mapping, Translator, OutboxMessage], Awaitable[None]]
RENDERERS_KEY = "outbox_renderers"
SENDER_KEY = "outbox_sender"
NOTICE = "notice"  # built in: {"text": msgid, "args": {...}, "photo"?, "buttons"?} (broadcasts, staff notes)
MAX_BACKOFF_S = 300.0


class SenderClock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    """Wall time: what `cccp run` uses."""

    def now(self) -> datetime:
        return utcnow()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Pacing:
    rate_per_s: float = 25.0  # overall; Telegram allows about 30
    chat_interval_s: float = 1.0  # a private chat
    group_interval_s: float = 3.0  # a group: 20 a minute
    in_flight: int = 1  # requests to Telegram at once; a crash may repeat that many messages
    lease_s: float = outbox.CLAIM_TIMEOUT.total_seconds()  # a crashed sender's row comes back after this
    idle_poll_s: float = 1.0  # nothing due: look again after this
    everyone_within_s: float = 1.0  # 429s for two chats this close: everyone waits

    def interval_for(self, chat_id: int) -> timedelta:
        return timedelta(seconds=self.group_interval_s if chat_id < 0 else self.chat_interval_s)


def pacing_from(settings) -> Pacing:
    """OUTBOX_RATE_PER_S and OUTBOX_LEASE_S (core.settings)."""
    return Pacing(rate_per_s=settings.outbox_rate_per_s, lease_s=settings.outbox_lease_s,
                  in_flight=settings.outbox_in_flight)


async def _send_notice(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    """params: text (a msgid) and args; optional photo (a URL or Telegram file_id, sent with
    the text as caption) and buttons: rows of {"text": msgid, "url": ...} link buttons."""
    p = message.params
    text = t(p["text"], **p.get("args", {}))
    markup = None
    if p.get("buttons"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(b["text"]), url=b["url"]) for b in row]
                                       for row in p["buttons"]])
    if p.get("photo"):
        await bot.send_photo(message.chat_id, photo=p["photo"], caption=text, reply_markup=markup)
    else:
        await bot.send_message(message.chat_id, text, reply_markup=markup)


BUILTIN_RENDERERS: dict[str, Renderer] = {NOTICE: _send_notice}


def _seconds(delay: float | timedelta) -> float:
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class OutboxSender:
    """Drains the outbox as the module docstring says; `run` until stopped, or
    `run_until_empty` (tests, benchmarks)."""

    def __init__(self, bot: Bot, bot_data: Mapping, *, pacing: Pacing | None = None,
                 clock: SenderClock | None = None) -> None:
        self.bot = bot
        self.bot_data = bot_data
        self.pacing = pacing or Pacing()
        self.clock = clock or RealClock()
        self._in_flight: set[asyncio.Task] = set()
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.sent = 0  # accepted by Telegram, by this sender
        self._recovered_at: datetime | None = None

    # ---- running -------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.run(), name="outbox-sender")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        """Send until `stop`; a database hiccup is logged and retried, never fatal."""
        while not self._stop.is_set():
            try:
                wait = await self.step()
            except Exception:  # noqa: BLE001 - the sender must outlive a failed query
                log.exception("outbox sender: step failed")
                wait = self.pacing.idle_poll_s
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=wait)
        await self._settle()
        log.info("outbox sender stopped: %d message(s) sent", self.sent)

    async def run_until_empty(self) -> None:
        """Send until no message is pending or in flight (retries included)."""
        while True:
            wait = await self.step()
            if not self._in_flight and not await OutboxMessage.filter(
                state__in=(outbox.OutboxState.PENDING, outbox.OutboxState.SENDING)
            ).exists():
                return
            if wait > 0:
                await self.clock.sleep(wait)

    async def _settle(self) -> None:
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    # ---- one dispatch --------------------------------------------------------------------

    async def step(self) -> float:
        """Start sending every message that may go now; the seconds until more might."""
        pacing = self.pacing
        while True:
            if len(self._in_flight) >= pacing.in_flight:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            now = self.clock.now()
            if self._recovered_at is None or now - self._recovered_at >= timedelta(seconds=1):
                await outbox.recover_stuck(now=now, stuck_after=timedelta(seconds=pacing.lease_s))
                self._recovered_at = now
            claimed = await outbox.claim_turns(now=now, limit=1, lease=timedelta(seconds=pacing.lease_s))
            if not claimed:
                if self._in_flight:  # their chats come free when they finish
                    await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                return await self._idle_wait(now)
            message = claimed[0]
            prepared = await self._prepare(message)
            if prepared is None:
                continue
            while (wait := await outbox.take_slot(now=self.clock.now(),
                                                 interval=timedelta(seconds=1 / pacing.rate_per_s))) > 0:
                await self.clock.sleep(wait)
            task = asyncio.create_task(self._send(message, prepared))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _idle_wait(self, now: datetime) -> float:
        """Seconds until a pending message could be claimed (capped at idle_poll_s)."""
        wait = self.pacing.idle_poll_s
        if not await OutboxMessage.filter(state=outbox.OutboxState.PENDING).exists():
            return wait
        soonest = []
        for query, name in (
            (OutboxMessage.filter(state=outbox.OutboxState.PENDING, due_at__gt=now), "due_at"),
            (outbox.OutboxPace.filter(next_at__gt=now), "next_at"),
            (outbox.OutboxPace.filter(paused_until__gt=now), "paused_until"),
            (outbox.OutboxPace.filter(busy_until__gt=now), "busy_until"),
        ):
            if (row := await query.order_by(name).first()) is not None:
                soonest.append(getattr(row, name))
        if soonest:
            wait = min(wait, (min(soonest) - now).total_seconds())
        return max(0.001, wait)

    async def _prepare(self, message: OutboxMessage) -> tuple[Renderer, Translator] | None:
        """The renderer and translator, or None when the message is not to be sent."""
        now = self.clock.now()
        renderers: Mapping[str, Renderer] = {**BUILTIN_RENDERERS, **self.bot_data.get(RENDERERS_KEY, {})}
        user = await users.get_user(message.chat_id)
        reason = None
        if user is not None and user.blocked_bot_at is not None:
            reason = "blocked the bot"
        elif user is not None and not user.hears(message.topic):
            reason = f"muted: {message.topic}"
        elif message.kind not in renderers:
            await outbox.mark_failed(message.id, f"no renderer for {message.kind!r}")
            log.error("outbox: no renderer for %s (message %s)", message.kind, message.id)
            await outbox.release_turn(message.chat_id, next_at=now)
            return None
        if reason is not None:
            await outbox.mark_skipped(message.id, reason)
            await outbox.release_turn(message.chat_id, next_at=now)
            return None
        default = self.bot_data.get("default_language", "en")
        language = user.language if user is not None and user.language else default
        return renderers[message.kind], translator(language)

    async def _send(self, message: OutboxMessage, prepared: tuple[Renderer, Translator]) -> bool:
        render, t = prepared
        if await deliver(self.bot, self.bot_data, message, render, t, self.clock.now, self.pacing):
            self.sent += 1
            return True
        return False


async def deliver(bot: Bot, bot_data: Mapping, message: OutboxMessage, render: Renderer, t: Translator,
                  now: Callable[[], datetime], pacing: Pacing) -> bool:
    """Send one claimed message and record what Telegram said; True when it was accepted."""
    chat = message.chat_id
    try:
        await render(bot, bot_data, t, message)
    except RetryAfter as error:
        at = now()
        seconds = _seconds(error.retry_after)
        everyone = await outbox.pause(chat, until=at + timedelta(seconds=seconds), now=at,
                                      everyone_within=timedelta(seconds=pacing.everyone_within_s))
        await outbox.mark_retry(message.id, f"429: retry after {seconds:g} s", delay_s=seconds, now=at,
                                counts_attempt=False)
        log.info("outbox: 429 for %s, waiting %g s%s", chat, seconds, " (everyone)" if everyone else "")
        return False
    except Forbidden as error:  # blocked the bot: nothing will get through until they /start
        at = now()
        await users.mark_blocked(chat, at)
        await outbox.mark_skipped(message.id, f"blocked the bot: {error}")
        await outbox.skip_chat(chat, "blocked the bot")
        await outbox.release_turn(chat, next_at=at)
        return False
    except BadRequest as error:
        await outbox.mark_failed(message.id, f"bad request: {error}")
        await outbox.release_turn(chat, next_at=now() + pacing.interval_for(chat))
        return False
    except Exception as error:  # noqa: BLE001 - network trouble, a renderer's bug: retry, later fail
        if not isinstance(error, TelegramError):
            log.exception("outbox: message %s (%s) failed", message.id, message.kind)
        at = now()
        delay = min(MAX_BACKOFF_S, 2.0 ** min(message.attempts, 16))
        await outbox.mark_retry(message.id, f"{type(error).__name__}: {error}", delay_s=delay, now=at)
        await outbox.release_turn(chat, next_at=at + pacing.interval_for(chat))
        return False
    at = now()
    await outbox.mark_sent(message.id, now=at)
    await outbox.release_turn(chat, next_at=at + pacing.interval_for(chat), sent_at=at)
    return True


def _app_clock(application: Application) -> Callable[[], datetime]:
    return application.bot_data.get("clock", utcnow)  # tests hand the bot a clock


async def drain(application: Application, *, chat_id: int | None = None, limit: int = 50) -> int:
    """Send due messages now: one chat's (the reply to its update, see the module
    docstring), or with no chat_id whatever the pacing lets go at once. Returns how many
    were sent."""
    sender: OutboxSender | None = application.bot_data.get(SENDER_KEY)
    pacing = sender.pacing if sender is not None else Pacing()
    clock = _app_clock(application)
    helper = OutboxSender(application.bot, application.bot_data, pacing=pacing)
    sent = waited = 0
    for _ in range(limit + TURN_WAIT_TRIES):
        if sent >= limit:
            break
        now = clock()
        claimed = await outbox.claim_turns(now=now, limit=1, chat_id=chat_id, burst=chat_id is not None,
                                           lease=timedelta(seconds=pacing.lease_s))
        if not claimed:
            if chat_id is not None and await _turn_held_elsewhere(chat_id, now):
                # The sender task is sending this chat's first message: the rest follow
                # it in this reply, once it is done (so the reply is complete when we return).
                waited += 1
                if waited < TURN_WAIT_TRIES:
                    await asyncio.sleep(TURN_WAIT_S)
                    continue
            break
        message = claimed[0]
        helper.clock = _FixedClock(clock)
        prepared = await helper._prepare(message)
        if prepared is None:
            continue
        if chat_id is None and await outbox.take_slot(
            now=now, interval=timedelta(seconds=1 / pacing.rate_per_s)
        ) > 0:  # no slot free now: the sender task sends it
            await outbox.mark_retry(message.id, "", delay_s=0, now=now, counts_attempt=False)
            await outbox.release_turn(message.chat_id, next_at=now)
            break
        if await deliver(application.bot, application.bot_data, message, *prepared, clock, pacing):
            sent += 1
    return sent


TURN_WAIT_S = 0.02
TURN_WAIT_TRIES = 500  # 10 s at most: a request to Telegram in flight


async def _turn_held_elsewhere(chat_id: int, now: datetime) -> bool:
    """Another sender holds the chat's turn while messages for it are due."""
    pace = await outbox.OutboxPace.get_or_none(chat_id=chat_id)
    if pace is None or pace.busy_until is None:
        return False
    return await OutboxMessage.filter(
        chat_id=chat_id, state__in=(outbox.OutboxState.PENDING, outbox.OutboxState.SENDING), due_at__lte=now
    ).exists()


class _FixedClock:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - drain never waits
        await asyncio.sleep(seconds)
