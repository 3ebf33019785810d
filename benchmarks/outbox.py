"""The outbox: messages a second through the sender, and what enqueue adds to a transaction.

- Sender: `n` notices to `chats` chats through `bot.outbox.OutboxSender` against the
  Bot API stand-in over HTTP (python-telegram-bot's real requests), on one SQLite file.
  *Limits on*: the stand-in enforces 1/s per chat and 30/s overall and the sender
  paces at 25/s and 1/s per chat, on a simulated clock both share (so the figure is
  what the sender's own work costs, real seconds, and the simulated rate shows the
  pacing holds); *limits off*: the stand-in enforces nothing and the sender paces at
  10,000/s with no per-chat spacing. Ratio: off / on in real messages a second.
- Insert cost: `n` transactions, each a ledger posting (one transfer between two
  wallets, as a trade's cash leg), with and without one `core.outbox.enqueue` in the
  same transaction; ratio = with / without in seconds (rounds alternate, so load on a
  shared machine falls on both).

    python -m benchmarks.outbox [--n 2000] [--chats 200]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.ext import Application
from tortoise.transactions import in_transaction

from benchmarks.ledger import ASSET, _open_accounts, opened
from benchmarks.scratch import migrated_sqlite
from bot.outbox import NOTICE, OutboxSender, Pacing
from core import ledger, outbox
from core.ledger import Leg
from sandbox.botapi import BotApiServer, ManualClock, RateLimits

TOKEN = "123456:BENCH-OUTBOX"
START = datetime(2026, 3, 1, tzinfo=UTC)


class _SimClock:
    def __init__(self) -> None:
        self.manual = ManualClock(start=0.0)

    def now(self) -> datetime:
        return START + timedelta(seconds=self.manual())

    async def sleep(self, seconds: float) -> None:
        self.manual.advance(max(0.0, seconds))
        await asyncio.sleep(0)


async def _sender_run(url: str, n: int, chats: int, *, limits_on: bool) -> dict:
    clock = _SimClock()
    limits = RateLimits(per_chat_burst=1, per_chat_window_s=1.0) if limits_on else RateLimits.off()
    server = BotApiServer(TOKEN, clock=clock.manual, limits=limits)
    await server.start()
    application = Application.builder().token(TOKEN).base_url(server.base_url).build()
    await application.initialize()
    try:
        async with opened(url):
            people = [server.user(f"P{i}") for i in range(chats)]
            for person in people:
                person.user.has_started = True
            for i in range(n):
                chat = people[i % chats].chat_id
                await outbox.enqueue(chat, NOTICE, {"text": f"note {i}"}, dedup_key=f"b:{i}", now=START)
            pacing = Pacing() if limits_on else Pacing(rate_per_s=10_000, chat_interval_s=0, group_interval_s=0)
            sender = OutboxSender(application.bot, application.bot_data, pacing=pacing, clock=clock)
            started = time.perf_counter()
            await sender.run_until_empty()
            seconds = time.perf_counter() - started
            sent = (await outbox.counts()).sent
    finally:
        await application.shutdown()
        await server.stop()
    arrived = sum(len(m) for m in server.messages.values())
    assert sent == arrived == n, (sent, arrived, n)
    return {"seconds": seconds, "per_s": n / seconds, "simulated_s": clock.manual(),
            "simulated_per_s": n / clock.manual() if clock.manual() else float("inf")}


async def _insert_cost(url: str, n: int, rounds: int = 5) -> dict:
    async with opened(url):
        alice, bob = await _open_accounts(n * 2)
        times = {"with": 0.0, "without": 0.0}
        per_round = max(1, n // rounds)
        i = 0
        for _ in range(rounds):
            for side in ("without", "with"):
                started = time.perf_counter()
                for _ in range(per_round):
                    i += 1
                    async with in_transaction():
                        await ledger.post(f"bench:{i}", "transfer", [Leg(alice, bob, 1)])
                        if side == "with":
                            await outbox.enqueue(2, "trade_filled", {"posting": i}, dedup_key=f"fill:{i}")
                times[side] += time.perf_counter() - started
        report = await ledger.verify()
        assert report.is_clean, report.text()
    done = per_round * rounds
    return {"transactions": done, "with_per_s": done / times["with"], "without_per_s": done / times["without"],
            "ratio": times["with"] / times["without"]}


async def run_async(n: int, chats: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="cccp-bench-outbox-") as tmp:
        template = Path(tmp) / "template.sqlite3"
        await migrated_sqlite(template)
        result = {"n": n, "chats": chats, "asset": ASSET}
        for name in ("on", "off", "insert"):
            path = Path(tmp) / f"{name}.sqlite3"
            shutil.copy(template, path)
            url = f"sqlite://{path}"
            if name == "insert":
                result["insert"] = await _insert_cost(url, n)
            else:
                result[name] = await _sender_run(url, n, chats, limits_on=name == "on")
    result["off_over_on"] = result["off"]["per_s"] / result["on"]["per_s"]
    return result


def run(n: int, chats: int) -> dict:
    return asyncio.run(run_async(n, chats))


def report(result: dict) -> str:
    on, off, insert = result["on"], result["off"], result["insert"]
    return "\n".join([
        f"sender, {result['n']} messages to {result['chats']} chats (SQLite):",
        f"  limits on : {on['per_s']:,.0f} messages/s of real time "
        f"({on['simulated_per_s']:.1f}/s on the simulated clock, {on['simulated_s']:.1f} simulated s)",
        f"  limits off: {off['per_s']:,.0f} messages/s of real time; off / on {result['off_over_on']:.2f}",
        f"outbox insert in a posting's transaction ({insert['transactions']} transactions): "
        f"{insert['with_per_s']:,.0f}/s with, {insert['without_per_s']:,.0f}/s without; "
        f"time ratio with / without {insert['ratio']:.2f}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    print(report(run(args.n, args.chats)), flush=True)


if __name__ == "__main__":
    main()
