"""The outbox sender as real processes: kill -9 and restart, two senders on one PostgreSQL.

The Bot API stand-in runs in this process with Telegram's limits on (real time);
the bot is `cccp run` (or `cccp outbox send`) in a subprocess, as in
tests/purchases/test_kill_bot.py. What a person would check: every notification
arrives; after a kill at most the one message in flight arrives twice; with two
senders each arrives once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.outbox import NOTICE
from cccp.__main__ import main
from core import outbox
from core.clock import utcnow
from core.outbox import OutboxMessage, OutboxState
from sandbox.botapi import BotApiServer, RateLimits, events
from tests.purchases.test_kill_bot import TOKEN, Bot, opened

LIMITS = RateLimits(per_chat_burst=1, per_chat_window_s=1.0, global_burst=30, global_window_s=1.0)


class Arrivals:
    def __init__(self, server: BotApiServer) -> None:
        self.texts: list[tuple[int, str]] = []
        server.add_listener(self._record)

    def _record(self, event) -> None:
        if event.kind == events.MESSAGE_SENT and event.message is not None:
            self.texts.append((event.chat_id, event.message.text))


async def _enqueue(db_url: str, server: BotApiServer, chats: int, per_chat: int) -> dict[int, list[str]]:
    expected: dict[int, list[str]] = {}
    people = [server.user(f"P{n}") for n in range(chats)]
    async with opened(db_url):
        for person in people:
            person.user.has_started = True
            expected[person.chat_id] = []
        for round_ in range(per_chat):
            for person in people:
                text = f"note {round_} for {person.chat_id}"
                await outbox.enqueue(person.chat_id, NOTICE, {"text": text}, dedup_key=f"{person.chat_id}:{round_}",
                                     now=utcnow())
                expected[person.chat_id].append(text)
    return expected


async def _all_sent(db_url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        async with opened(db_url):
            waiting = await OutboxMessage.filter(state__in=(OutboxState.PENDING, OutboxState.SENDING)).count()
        if not waiting:
            return
        assert time.monotonic() < deadline, f"{waiting} messages still waiting"
        await asyncio.sleep(0.3)


def _check_arrivals(arrivals: Arrivals, expected: dict[int, list[str]], *, repeats_allowed: int) -> None:
    seen = Counter(text for _, text in arrivals.texts)
    wanted = {text for texts in expected.values() for text in texts}
    assert set(seen) == wanted  # every message arrived, nothing else did
    repeated = {text: n for text, n in seen.items() if n > 1}
    assert sum(n - 1 for n in repeated.values()) <= repeats_allowed, repeated
    for chat, texts in expected.items():
        got = [text for c, text in arrivals.texts if c == chat]
        assert list(dict.fromkeys(got)) == texts  # in order (a repeat comes right after itself)


async def _kill_during_the_run(db_url: str, tmp_path: Path, chats: int, per_chat: int) -> None:
    server = BotApiServer(TOKEN, limits=LIMITS)
    await server.start()
    bot = Bot(server, db_url, tmp_path, webhook=False)
    bot.env.update(OUTBOX_LEASE_S="2", OUTBOX_RATE_PER_S="25")
    try:
        arrivals = Arrivals(server)
        expected = await _enqueue(db_url, server, chats, per_chat)
        total = chats * per_chat
        first = bot.start()
        deadline = time.monotonic() + 60
        while len(arrivals.texts) < total // 3:
            assert first.poll() is None, "the bot stopped"
            assert time.monotonic() < deadline, f"only {len(arrivals.texts)} arrived"
            await asyncio.sleep(0.01)
        bot.kill(first)
        await asyncio.to_thread(first.wait, 10)
        assert len(arrivals.texts) < total  # killed during the run
        bot.start()
        await _all_sent(db_url)
        _check_arrivals(arrivals, expected, repeats_allowed=1)
        async with opened(db_url):
            assert (await outbox.counts()).sent == total
    finally:
        await bot.stop_all()
        await server.stop()


async def test_kill_9_during_a_run_then_restart_every_message_arrives_at_most_one_twice(db_url, tmp_path):
    await _kill_during_the_run(db_url, tmp_path, chats=20, per_chat=5)


@pytest.mark.slow
async def test_kill_9_during_2000_notifications_to_200_chats(db_url, tmp_path):
    await _kill_during_the_run(db_url, tmp_path, chats=200, per_chat=10)


def _start_sender(env: dict[str, str], tmp_path: Path, n: int) -> subprocess.Popen:
    """`cccp outbox send`, logging to sender-<n>.log."""
    return subprocess.Popen(
        [sys.executable, "-m", "cccp", "outbox", "send"], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"sender-{n}.log", "w"),  # noqa: SIM115
    )


async def test_two_sender_processes_on_one_postgresql_deliver_each_message_once(postgres_url, tmp_path):
    from tests.conftest import _truncate_postgres  # a clean database for this test

    async with opened(postgres_url):
        await _truncate_postgres()
    server = BotApiServer(TOKEN, limits=LIMITS)
    await server.start()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(BOT_TOKEN=TOKEN, DATABASE_URL=postgres_url, TELEGRAM_API_URL=server.url, DATA_DIR=str(tmp_path))
    senders: list[subprocess.Popen] = []
    try:
        arrivals = Arrivals(server)
        expected = await _enqueue(postgres_url, server, chats=30, per_chat=4)
        senders += [_start_sender(env, tmp_path, n) for n in range(2)]
        await _all_sent(postgres_url)
        _check_arrivals(arrivals, expected, repeats_allowed=0)
        # Each chat's turn is in the database: neither process wrote to a chat past its limit.
        assert not [r for r in server.flood.refusals if r[1] == "chat"], server.flood.refusals
        assert all(p.poll() is None for p in senders)
        for process in senders:
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 20)
        logs = [(tmp_path / f"sender-{n}.log").read_text() for n in range(2)]
        sent = [int(re.search(r"outbox sender stopped: (\d+) message", log)[1]) for log in logs]
        assert sum(sent) == 120 and min(sent) > 0, sent  # both sent, together each message once
    finally:
        for process in senders:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in senders:
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
        await server.stop()


def test_cccp_outbox_shows_counts_and_the_oldest_waiting_message(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)

    async def fill() -> None:
        async with opened(db_url):
            await outbox.enqueue(42, NOTICE, {"text": "first"}, dedup_key="a")
            await outbox.enqueue(43, NOTICE, {"text": "second"}, dedup_key="b")
            [message] = await outbox.claim(limit=1)
            await outbox.mark_failed(message.id, "bad request: chat not found")

    asyncio.run(fill())
    assert main(["outbox"]) == 0
    out = capsys.readouterr().out
    assert "pending 1, sending 0, sent 0, failed 1, skipped 0; 429 answers 0" in out
    assert "oldest waiting: #2 notice to 43" in out
    assert "failed #1 notice to 42 after 1 attempt(s): bad request: chat not found" in out
