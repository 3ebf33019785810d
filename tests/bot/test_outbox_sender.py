"""The outbox sender against the Bot API stand-in, on one simulated clock.

The stand-in enforces Telegram's limits (1 message a second per private chat,
30 a second overall) on a ManualClock; the sender reads and sleeps on the same
clock, so a run that takes minutes in Telegram time takes seconds here. What a
person would check: every notification arrives once, in order, no chat gets two
within a second, the bot stays under the overall rate, someone who blocked the
bot gets nothing and is marked, a muted topic is not sent.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from telegram.ext import Application
from tortoise.transactions import in_transaction

from bot.outbox import NOTICE, OutboxSender, Pacing
from core import outbox, users
from core.outbox import OutboxMessage, OutboxState, Topic
from sandbox.botapi import BotApiServer, ManualClock, RateLimits, events

TOKEN = "123456:OUTBOX"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STRICT = RateLimits(per_chat_burst=1, per_chat_window_s=1.0, global_burst=30, global_window_s=1.0)


class SimClock:
    """The sender's clock and the stand-in's, one simulated time: sleeping moves it."""

    def __init__(self) -> None:
        self.manual = ManualClock(start=0.0)

    def now(self) -> datetime:
        return START + timedelta(seconds=self.manual())

    async def sleep(self, seconds: float) -> None:
        self.manual.advance(max(0.0, seconds))
        await asyncio.sleep(0)


class Run:
    def __init__(self, server: BotApiServer, clock: SimClock, application: Application) -> None:
        self.server, self.clock, self.application = server, clock, application
        self.arrivals: list[tuple[float, int, str]] = []  # (simulated time, chat, text)
        server.add_listener(self._record)

    def _record(self, event) -> None:
        if event.kind == events.MESSAGE_SENT and event.message is not None:
            self.arrivals.append((self.clock.manual(), event.chat_id, event.message.text))

    def people(self, n: int):
        chats = []
        for i in range(n):
            person = self.server.user(f"P{i}")
            person.user.has_started = True
            chats.append(person)
        return chats

    def sender(self, **pacing) -> OutboxSender:
        return OutboxSender(self.application.bot, self.application.bot_data, pacing=Pacing(**pacing),
                            clock=self.clock)

    def by_chat(self) -> dict[int, list[tuple[float, str]]]:
        seen: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for at, chat, text in self.arrivals:
            seen[chat].append((at, text))
        return seen


async def _run(limits: RateLimits):
    clock = SimClock()
    server = BotApiServer(TOKEN, clock=clock.manual, limits=limits)
    await server.start()
    application = Application.builder().token(TOKEN).base_url(server.base_url).build()
    await application.initialize()
    return server, clock, application


@pytest_asyncio.fixture
async def run(db):
    server, clock, application = await _run(STRICT)
    yield Run(server, clock, application)
    await application.shutdown()
    await server.stop()


async def _notify(chats, per_chat: int, *, topic: Topic | None = None) -> dict[int, list[str]]:
    """per_chat notices to every chat, enqueued round-robin; what each chat must get, in order."""
    expected: dict[int, list[str]] = defaultdict(list)
    for round_ in range(per_chat):
        for person in chats:
            text = f"note {round_} for {person.chat_id}"
            await outbox.enqueue(person.chat_id, NOTICE, {"text": text}, dedup_key=f"n:{person.chat_id}:{round_}",
                                 topic=topic, now=START)
            expected[person.chat_id].append(text)
    return expected


def _check_pacing(run: Run, pacing: Pacing) -> None:
    for chat, got in run.by_chat().items():
        times = [at for at, _ in got]
        assert all(b - a >= pacing.chat_interval_s for a, b in zip(times, times[1:], strict=False)), f"chat {chat} above 1/s"
    times = sorted(at for at, _, _ in run.arrivals)
    # In flight requests may arrive together: at most `in_flight` over the rate in any second.
    for i, start in enumerate(times):
        in_window = sum(1 for at in times[i:] if at < start + 1.0)
        assert in_window <= pacing.rate_per_s + pacing.in_flight, f"{in_window} messages in one second"
    if len(times) > 1:
        assert (len(times) - 1) / (times[-1] - times[0]) <= pacing.rate_per_s * 1.001  # microsecond rounding
    assert not [r for r in run.server.flood.refusals if r[1] == "global"], "the stand-in refused for everyone"


async def _deliver_all(run: Run, n_chats: int, per_chat: int) -> None:
    chats = run.people(n_chats)
    blocked = chats[0]
    await users.sign_up(blocked.chat_id, "Blocker", "en", ["consumer"], now=START)
    blocked.block()
    expected = await _notify(chats, per_chat)
    pacing = Pacing()
    await run.sender().run_until_empty()

    got = run.by_chat()
    assert blocked.chat_id not in got
    assert (await users.get_user(blocked.chat_id)).blocked_bot_at is not None
    for person in chats[1:]:
        assert [text for _, text in got[person.chat_id]] == expected[person.chat_id]  # all, once, in order
    _check_pacing(run, pacing)
    counts = await outbox.counts()
    assert (counts.sent, counts.skipped, counts.pending, counts.sending, counts.failed) == (
        (n_chats - 1) * per_chat, per_chat, 0, 0, 0)


async def test_notifications_to_many_chats_arrive_once_each_within_the_limits(run):
    await _deliver_all(run, n_chats=30, per_chat=10)


@pytest.mark.slow
async def test_2000_notifications_to_200_chats(run):
    await _deliver_all(run, n_chats=200, per_chat=10)


async def test_a_429_for_a_chat_is_waited_out_and_nothing_is_lost(db):
    # The stand-in is stricter than the sender's pacing: one message per 2 s per chat.
    server, clock, application = await _run(RateLimits(per_chat_burst=1, per_chat_window_s=2.0))
    try:
        run = Run(server, clock, application)
        [alice] = run.people(1)
        expected = await _notify([alice], 3)
        await run.sender().run_until_empty()
        assert [text for _, text in run.by_chat()[alice.chat_id]] == expected[alice.chat_id]
        assert server.flood.refusals and (await outbox.counts()).rate_limited == len(server.flood.refusals)
        times = [at for at, _ in run.by_chat()[alice.chat_id]]
        assert all(b - a >= 2.0 for a, b in zip(times, times[1:], strict=False))
    finally:
        await application.shutdown()
        await server.stop()


async def test_429s_for_several_chats_pause_everyone_and_everything_arrives(db):
    # Telegram's overall limit far below the sender's rate: the bot as a whole is told to wait.
    server, clock, application = await _run(RateLimits(per_chat_burst=1, global_burst=5, global_window_s=1.0))
    try:
        run = Run(server, clock, application)
        chats = run.people(20)
        expected = await _notify(chats, 2)
        await run.sender().run_until_empty()
        got = run.by_chat()
        assert all([text for _, text in got[p.chat_id]] == expected[p.chat_id] for p in chats)
        everyone = await outbox.OutboxPace.get(chat_id=outbox.service.EVERYONE)
        assert everyone.paused_until is not None  # the sender paused everyone at least once
        assert len(server.flood.refusals) < 40  # waited instead of hammering
    finally:
        await application.shutdown()
        await server.stop()


async def test_a_muted_topic_is_skipped_and_receipts_still_arrive(run):
    [kim, lea] = run.people(2)
    for person in (kim, lea):
        await users.sign_up(person.chat_id, person.user.first_name, "en", ["consumer"], now=START)
    await users.set_topic_muted(kim.chat_id, Topic.NEWS, True)
    await _notify([kim, lea], 1, topic=Topic.NEWS)
    await outbox.enqueue(kim.chat_id, NOTICE, {"text": "your receipt"}, dedup_key="receipt", now=START)
    await run.sender().run_until_empty()
    got = run.by_chat()
    assert [t for _, t in got[kim.chat_id]] == ["your receipt"]
    assert [t for _, t in got[lea.chat_id]] == [f"note 0 for {lea.chat_id}"]
    skipped = await OutboxMessage.get(dedup_key=f"n:{kim.chat_id}:0")
    assert skipped.state == OutboxState.SKIPPED and skipped.last_error == "muted: news"


async def test_an_error_is_retried_with_backoff_then_failed_with_the_reason(run):
    # A chat the stand-in does not know answers 400 "chat not found": failed at once, with the reason.
    await outbox.enqueue(999_999, NOTICE, {"text": "nobody"}, dedup_key="nobody", now=START)
    # A renderer that breaks: retried with growing delays, then failed.
    run.application.bot_data["outbox_renderers"] = {"broken": _broken}
    [ann] = run.people(1)
    await outbox.enqueue(ann.chat_id, "broken", {}, dedup_key="broken", now=START)
    await run.sender().run_until_empty()
    nobody = await OutboxMessage.get(dedup_key="nobody")
    assert nobody.state == OutboxState.FAILED and "chat not found" in nobody.last_error.lower()
    broken = await OutboxMessage.get(dedup_key="broken")
    assert broken.state == OutboxState.FAILED and broken.attempts == outbox.service.MAX_ATTEMPTS
    assert "renderer bug" in broken.last_error
    assert run.clock.manual() >= sum(2 ** n for n in range(1, outbox.service.MAX_ATTEMPTS))


async def _broken(bot, bot_data, t, message) -> None:
    raise RuntimeError("renderer bug")


async def test_a_user_who_blocked_the_bot_is_unmarked_by_start(run):
    [bob] = run.people(1)
    await users.sign_up(bob.chat_id, "Bob", "en", ["consumer"], now=START)
    await users.mark_blocked(bob.chat_id, START)
    await _notify([bob], 1)
    await run.sender().run_until_empty()
    assert run.by_chat() == {}
    assert (await OutboxMessage.get(dedup_key=f"n:{bob.chat_id}:0")).state == OutboxState.SKIPPED
    assert await users.mark_unblocked(bob.chat_id)
    assert (await users.get_user(bob.chat_id)).blocked_bot_at is None


async def test_a_rolled_back_event_leaves_no_notification(db):
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await outbox.enqueue(1, NOTICE, {"text": "a trade"}, dedup_key="trade:1", topic=Topic.FILLS)
            raise RuntimeError("the trade failed")
    assert not await OutboxMessage.filter(dedup_key="trade:1").exists()
    async with in_transaction():
        await outbox.enqueue(1, NOTICE, {"text": "a trade"}, dedup_key="trade:2", topic=Topic.FILLS)
        await outbox.enqueue(1, NOTICE, {"text": "a trade"}, dedup_key="trade:2", topic=Topic.FILLS)
    assert await OutboxMessage.filter(dedup_key="trade:2").count() == 1


async def test_four_requests_in_flight_keep_the_limits_too(run):
    chats = run.people(20)
    expected = await _notify(chats, 5)
    await run.sender(in_flight=4).run_until_empty()
    got = run.by_chat()
    assert all([text for _, text in got[p.chat_id]] == expected[p.chat_id] for p in chats)
    _check_pacing(run, Pacing(in_flight=4))


async def test_a_notice_is_rendered_in_the_recipients_language_at_send_time_with_its_button(run):
    [zoe] = run.people(1)
    await users.sign_up(zoe.chat_id, "Zoe", "en", ["consumer"], now=START)
    await outbox.enqueue(zoe.chat_id, NOTICE, {"text": "Notifications and account types", "buttons": [[{"text": "on",
                         "url": "https://cccp.example/s"}]]}, dedup_key="lang", topic=Topic.NEWS, now=START)
    await users.set_language(zoe.chat_id, "de")  # changed after the message was written
    await run.sender().run_until_empty()
    [message] = zoe.messages
    assert message.text == "Benachrichtigungen und Kontoarten"
    assert message.inline_keyboard[0][0]["text"] == "an"


async def test_a_sender_skips_rows_another_sender_has_locked(db):
    """Two senders on PostgreSQL: a row locked by one (FOR UPDATE) is skipped by the other,
    which takes the next chat's instead of waiting (SQLite has one writer: nothing to skip)."""
    if not db.startswith("postgres"):
        pytest.skip("row locks are PostgreSQL's")
    await outbox.enqueue(1, NOTICE, {"text": "a"}, dedup_key="a", now=START)
    await outbox.enqueue(2, NOTICE, {"text": "b"}, dedup_key="b", now=START)
    locked = asyncio.Event()

    async def other_sender() -> list:
        await locked.wait()
        return await outbox.claim_turns(now=START, limit=5)

    other = asyncio.create_task(other_sender())  # its own connection: created outside the transaction
    async with in_transaction():
        await OutboxMessage.filter(dedup_key="a").select_for_update()
        locked.set()
        claimed = await asyncio.wait_for(other, timeout=10)  # it did not wait for our lock
    assert [m.chat_id for m in claimed] == [2]
