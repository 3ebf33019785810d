"""Baseline: seconds per update for a bare python-telegram-bot echo bot on the stand-in.

The bot benchmark (benchmarks/bot.py) compares CCCP's bot with this figure. Updates
are spread over many chats and the flood limits are off, so what is measured is PTB,
HTTP and the stand-in, not Telegram's pacing.
"""

from __future__ import annotations

import asyncio
import time

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from sandbox.botapi import BotApiServer, RateLimits

TOKEN = "123456:BENCH"


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back."""
    await update.message.reply_text(update.message.text)


async def run_echo_baseline(n_updates: int, n_chats: int = 100) -> float:
    """Send n_updates texts spread over n_chats people; return wall seconds per update."""
    server = BotApiServer(TOKEN, limits=RateLimits.off(), settle_quiet_s=0.0)
    await server.start()
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    try:
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0)
            server.attach_application(application)
            people = [server.user(f"P{i}", think_time_s=0) for i in range(n_chats)]
            per_person = [n_updates // n_chats + (i < n_updates % n_chats) for i in range(n_chats)]

            async def talk(index: int) -> None:
                for step in range(per_person[index]):
                    await people[index].send(f"m{step}")

            started = time.perf_counter()
            await asyncio.gather(*(talk(i) for i in range(n_chats)))
            elapsed = time.perf_counter() - started
            await application.updater.stop()
            await application.stop()
    finally:
        await server.stop()
    replies = sum(len(p.messages) for p in people)
    if replies != n_updates:
        raise RuntimeError(f"expected {n_updates} replies, got {replies}")
    return elapsed / n_updates


if __name__ == "__main__":
    print(f"{asyncio.run(run_echo_baseline(2000, 100)) * 1000:.2f} ms per update")
