"""CCCP's bot vs a bare PTB echo bot: seconds per update through the Bot API stand-in.

The update is `/balance` of a signed-up user (DESIGN.md), spread over many chats
with the flood limits off, so what is compared is our handler stack (dedupe,
user and balance queries, translation, persistence check) against PTB + HTTP +
the stand-in alone. Both run in the same process and run, one after the other.

    .venv/bin/python -m benchmarks.bot [n_updates] [n_chats] [database_url]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram.ext import Application

from benchmarks.echo_bot import run_echo_baseline
from bot.app import build_application
from core import db, users
from core.settings import load_settings
from sandbox.botapi import BotApiServer, RateLimits

TOKEN = "123456:BENCH-BOT"


async def run_bot(n_updates: int, n_chats: int = 100, database_url: str | None = None) -> float:
    """Send /balance n_updates times over n_chats signed-up people; wall seconds per update."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        await db.upgrade(url)
        await db.open_db(url)
        server = BotApiServer(TOKEN, limits=RateLimits.off(), settle_quiet_s=0.0)
        await server.start()
        try:
            settings = load_settings(bot_token=TOKEN, database_url=url, data_dir=Path(tmp))
            builder = Application.builder().token(TOKEN).base_url(server.base_url).base_file_url(server.base_file_url)
            application = build_application(settings, builder)
            async with application:
                await application.start()
                await application.updater.start_polling(poll_interval=0)
                server.attach_application(application)
                people = [server.user(f"P{i}", think_time_s=0) for i in range(n_chats)]
                now = datetime.now(UTC)
                for person in people:
                    await users.sign_up(person.user_id, person.user.first_name, "en", ["consumer"], now=now)
                per_person = [n_updates // n_chats + (i < n_updates % n_chats) for i in range(n_chats)]

                async def talk(index: int) -> None:
                    for _ in range(per_person[index]):
                        await people[index].send("/balance")

                started = time.perf_counter()
                await asyncio.gather(*(talk(i) for i in range(n_chats)))
                elapsed = time.perf_counter() - started
                errors = application.bot_data.get("unexpected_errors", 0)
                await application.updater.stop()
                await application.stop()
        finally:
            await server.stop()
            await db.close_db()
    replies = sum(len(p.messages) for p in people)
    if replies != n_updates or errors:
        raise RuntimeError(f"expected {n_updates} replies and no errors, got {replies} and {errors}")
    return elapsed / n_updates


async def compare(n_updates: int = 1000, n_chats: int = 100, database_url: str | None = None) -> dict[str, float]:
    """Both figures from the same run, and their ratio (target: at most 1.5)."""
    echo_s = await run_echo_baseline(n_updates, n_chats)
    bot_s = await run_bot(n_updates, n_chats, database_url)
    return {"echo_ms": echo_s * 1000, "bot_ms": bot_s * 1000, "ratio": bot_s / echo_s}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    chats = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    result = asyncio.run(compare(n, chats, sys.argv[3] if len(sys.argv) > 3 else None))
    print(f"echo {result['echo_ms']:.2f} ms/update, bot {result['bot_ms']:.2f} ms/update, "
          f"ratio {result['ratio']:.2f}")
