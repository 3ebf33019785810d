"""Baseline: seconds per update for a bare python-telegram-bot echo bot on the stand-in.

The bot benchmark (benchmarks/bot.py) compares CCCP's bot with this figure. Updates
are spread over many chats and the flood limits are off, so what is measured is PTB,
HTTP and the stand-in, not Telegram's pacing. PTB's defaults: one update at a time.
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


async def send_spread(people: list, n_updates: int, text: str) -> float:
    """Send n_updates texts spread evenly over people (each waits for its reply); wall seconds."""
    per_person = [n_updates // len(people) + (i < n_updates % len(people)) for i in range(len(people))]

    async def talk(index: int) -> None:
        for _ in range(per_person[index]):
            await people[index].send(text)

    started = time.perf_counter()
    await asyncio.gather(*(talk(i) for i in range(len(people))))
    return time.perf_counter() - started


class EchoBot:
    """The echo bot running on its own stand-in, ready for rounds of updates."""

    def __init__(self, n_chats: int) -> None:
        self.n_chats = n_chats
        self.server = BotApiServer(TOKEN, limits=RateLimits.off(), settle_quiet_s=0.0)
        self.sent = 0

    async def start(self) -> None:
        await self.server.start()
        self.application = (
            Application.builder()
            .token(TOKEN)
            .base_url(self.server.base_url)
            .base_file_url(self.server.base_file_url)
            .build()
        )
        self.application.add_handler(MessageHandler(filters.TEXT, _echo))
        await self.application.initialize()
        await self.application.start()
        await self.application.updater.start_polling(poll_interval=0)
        self.server.attach_application(self.application)
        self.people = [self.server.user(f"P{i}", think_time_s=0) for i in range(self.n_chats)]

    async def send(self, n_updates: int) -> float:
        """Wall seconds for n_updates texts spread over the chats."""
        self.sent += n_updates
        return await send_spread(self.people, n_updates, "hello")

    async def stop(self) -> None:
        try:
            await self.application.updater.stop()
            await self.application.stop()
            await self.application.shutdown()
        finally:
            await self.server.stop()
        replies = sum(len(p.messages) for p in self.people)
        if replies != self.sent:
            raise RuntimeError(f"expected {self.sent} replies, got {replies}")


async def run_echo_baseline(n_updates: int, n_chats: int = 100) -> float:
    """Send n_updates texts spread over n_chats people; return wall seconds per update."""
    echo = EchoBot(n_chats)
    await echo.start()
    try:
        elapsed = await echo.send(n_updates)
    finally:
        await echo.stop()
    return elapsed / n_updates


if __name__ == "__main__":
    print(f"{asyncio.run(run_echo_baseline(2000, 100)) * 1000:.2f} ms per update")
