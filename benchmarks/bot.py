"""CCCP's bot vs a bare PTB echo bot: seconds per update through the Bot API stand-in.

The update is `/balance` of a signed-up user (DESIGN.md), spread over many chats
with the flood limits off, so what is compared is our handler stack (dedupe,
balance query, translation, persistence check, the per-chat ordering) against
PTB + HTTP + the stand-in alone. Both bots run in the same process at once, each
on its own stand-in, and take turns in rounds (n/rounds updates each), so load
from other work on a shared machine falls on both sides alike.

    .venv/bin/python -m benchmarks.bot [n_updates] [n_chats] [sqlite|postgres://...] [rounds]

A PostgreSQL server URL gets a fresh database, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from benchmarks.echo_bot import EchoBot, send_spread
from benchmarks.scratch import migrated_postgres, migrated_sqlite
from bot.app import build_application
from bot.inbox import InboxRunner
from core import db, users
from core.settings import load_settings
from sandbox.botapi import BotApiServer, RateLimits

TOKEN = "123456:BENCH-BOT"


class CccpBot:
    """The real bot (build_application) on its own stand-in, people signed up."""

    def __init__(self, n_chats: int, url: str, data_dir: Path) -> None:
        self.n_chats = n_chats
        self.url = url
        self.data_dir = data_dir
        self.server = BotApiServer(TOKEN, limits=RateLimits.off(), settle_quiet_s=0.0)
        self.sent = 0

    async def start(self) -> None:
        await db.upgrade(self.url)
        await db.open_db(self.url)
        await self.server.start()
        settings = load_settings(bot_token=TOKEN, database_url=self.url, data_dir=self.data_dir)
        builder = (
            Application.builder().token(TOKEN).base_url(self.server.base_url).base_file_url(self.server.base_file_url)
        )
        self.application = build_application(settings, builder)
        await self.application.initialize()
        await self.application.start()
        self.inbox = InboxRunner(self.application, poll=True, poll_timeout_s=10)
        await self.inbox.start()
        self.server.idle_probe = self.inbox.wait_idle
        self.people = [self.server.user(f"P{i}", think_time_s=0) for i in range(self.n_chats)]
        now = datetime.now(UTC)
        for person in self.people:
            await users.sign_up(person.user_id, person.user.first_name, "en", ["consumer"], now=now)

    async def send(self, n_updates: int) -> float:
        """Wall seconds for n_updates /balance spread over the chats."""
        self.sent += n_updates
        return await send_spread(self.people, n_updates, "/balance")

    async def stop(self) -> None:
        errors = self.application.bot_data.get("unexpected_errors", 0)
        try:
            await self.inbox.stop()
            await self.application.stop()
            await self.application.shutdown()
        finally:
            await self.server.stop()
            await db.close_db()
        replies = sum(len(p.messages) for p in self.people)
        if replies != self.sent or errors:
            raise RuntimeError(f"expected {self.sent} replies and no errors, got {replies} and {errors}")


@asynccontextmanager
async def database(database_url: str | None):
    """A fresh database: a SQLite file (the default), or a new one on a PostgreSQL server."""
    with tempfile.TemporaryDirectory() as tmp:
        if not database_url or database_url == "sqlite":
            yield await migrated_sqlite(Path(tmp) / "bench.sqlite3"), Path(tmp)
            return
        async with migrated_postgres(database_url) as url:
            yield url, Path(tmp)


async def compare(n_updates: int = 1000, n_chats: int = 100, database_url: str | None = None,
                  rounds: int = 5) -> dict[str, float]:
    """Both figures from alternating rounds, and their ratio (target: at most 1.5)."""
    bounds = [n_updates * r // rounds for r in range(rounds + 1)]
    echo_s = bot_s = 0.0
    async with database(database_url) as (url, data_dir):
        echo, bot = EchoBot(n_chats), CccpBot(n_chats, url, data_dir)
        await echo.start()
        try:
            await bot.start()
            try:
                for r in range(rounds):
                    size = bounds[r + 1] - bounds[r]
                    echo_s += await echo.send(size)
                    bot_s += await bot.send(size)
            finally:
                await bot.stop()
        finally:
            await echo.stop()
    return {"echo_ms": echo_s * 1000 / n_updates, "bot_ms": bot_s * 1000 / n_updates, "ratio": bot_s / echo_s}


async def run_bot(n_updates: int, n_chats: int = 100, database_url: str | None = None) -> float:
    """Send /balance n_updates times over n_chats signed-up people; wall seconds per update."""
    async with database(database_url) as (url, data_dir):
        bot = CccpBot(n_chats, url, data_dir)
        await bot.start()
        try:
            elapsed = await bot.send(n_updates)
        finally:
            await bot.stop()
    return elapsed / n_updates


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    chats = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    where = sys.argv[3] if len(sys.argv) > 3 else None
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    result = asyncio.run(compare(n, chats, where, rounds))
    print(f"echo {result['echo_ms']:.2f} ms/update, bot {result['bot_ms']:.2f} ms/update, "
          f"ratio {result['ratio']:.2f}")
