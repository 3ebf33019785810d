"""The paced sender keeps Telegram's limits and honours a 429's retry_after."""

from __future__ import annotations

import pytest_asyncio
from telegram.ext import Application

from bot.notifier import PacedSender
from sandbox.botapi import BotApiServer, ManualClock, RateLimits

TOKEN = "123456:NOTIFY"


@pytest_asyncio.fixture
async def stand_in():
    clock = ManualClock()
    server = BotApiServer(TOKEN, clock=clock, limits=RateLimits(per_chat_burst=1, per_chat_window_s=1.0))
    await server.start()
    application = Application.builder().token(TOKEN).base_url(server.base_url).build()
    await application.initialize()
    yield server, clock, application
    await application.shutdown()
    await server.stop()


async def test_a_429_with_retry_after_is_waited_out_and_the_message_sent(stand_in):
    server, clock, application = stand_in
    alice = server.user("Alice")
    alice.user.has_started = True
    waits = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    # No per-chat pacing of our own: the stand-in's limit answers 429 instead.
    sender = PacedSender(application.bot.send_message, per_chat_interval_s=0, clock=clock, sleep=sleep)
    for i in range(3):
        sender.add(alice.chat_id, f"note {i}")
    report = await sender.drain()
    assert report.sent == 3 and report.retry_after_waits == [1.0, 1.0]
    assert [m.text for m in alice.messages] == ["note 0", "note 1", "note 2"]


async def test_pacing_keeps_one_message_a_second_per_chat_without_a_429(stand_in):
    server, clock, application = stand_in
    people = [server.user(f"P{i}") for i in range(3)]
    for p in people:
        p.user.has_started = True

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    sender = PacedSender(application.bot.send_message, clock=clock, sleep=sleep)
    for round_ in range(2):
        for p in people:
            sender.add(p.chat_id, f"r{round_}")
    report = await sender.drain()
    assert report.sent == 6 and report.retry_after_waits == []
    assert all([m.text for m in p.messages] == ["r0", "r1"] for p in people)


async def test_a_chat_that_blocked_the_bot_is_reported_and_skipped(stand_in):
    server, clock, application = stand_in
    bob = server.user("Bob")
    bob.user.has_started = True
    bob.block()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    sender = PacedSender(application.bot.send_message, clock=clock, sleep=sleep)
    sender.add(bob.chat_id, "hello")
    report = await sender.drain()
    assert report.sent == 0 and report.blocked == [bob.chat_id]
