"""`cccp outbox`: what waits to be sent, and a sender process of its own.

    cccp outbox                     counts by state, 429s seen, the oldest waiting message,
                                    the latest failures with their reason
    cccp outbox send [--until-empty]
                                    run only the outbox sender (bot/outbox.py) against
                                    TELEGRAM_API_URL; several may run on one PostgreSQL
                                    database beside `cccp run` (which sends too)
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from core import db
from core.clock import utcnow
from core.settings import SettingsError, load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="messages waiting to be sent; run a sender")
    parser.add_argument("--failed", type=int, default=5, metavar="N", help="list the N latest failures")
    parser.set_defaults(func=status_command)
    sub = parser.add_subparsers(dest="outbox_command", metavar="ACTION")
    p = sub.add_parser("send", help="run the outbox sender alone (until stopped)")
    p.add_argument("--until-empty", action="store_true", help="stop when nothing is waiting or in flight")
    p.set_defaults(func=send_command)


def status_command(args: argparse.Namespace) -> int:
    return asyncio.run(_status(load_settings().database_url, failed=args.failed))


async def _status(url: str, *, failed: int) -> int:
    from core import outbox
    from core.outbox import OutboxMessage, OutboxState

    await db.open_migrated_db(url)
    try:
        counts = await outbox.counts()
        oldest = await OutboxMessage.filter(state=OutboxState.PENDING).order_by("id").first()
        failures = await OutboxMessage.filter(state=OutboxState.FAILED).order_by("-id").limit(failed)
    finally:
        await db.close_db()
    print(f"pending {counts.pending}, sending {counts.sending}, sent {counts.sent}, "
          f"failed {counts.failed}, skipped {counts.skipped}; 429 answers {counts.rate_limited}")
    if oldest is None:
        print("nothing waiting")
    else:
        age = (utcnow() - oldest.created_at).total_seconds()
        print(f"oldest waiting: #{oldest.id} {oldest.kind} to {oldest.chat_id}, created "
              f"{oldest.created_at:%Y-%m-%d %H:%M:%S} ({age:.0f} s ago), due {oldest.due_at:%H:%M:%S}, "
              f"{oldest.attempts} attempt(s)" + (f", last error: {oldest.last_error}" if oldest.last_error else ""))
    for row in failures:
        print(f"  failed #{row.id} {row.kind} to {row.chat_id} after {row.attempts} attempt(s): {row.last_error}")
    return 0


def send_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.bot_token:
        raise SettingsError("invalid configuration:\n  BOT_TOKEN: required to send messages")
    asyncio.run(_send(settings, until_empty=args.until_empty))
    return 0


async def _send(settings, *, until_empty: bool) -> None:
    import core.checks  # noqa: F401  (renderers may read the registry)
    from bot.app import build_application, default_builder
    from bot.outbox import SENDER_KEY

    await db.open_migrated_db(settings.database_url)
    try:
        application = build_application(settings, default_builder(settings))
        sender = application.bot_data[SENDER_KEY]
        async with application.bot:
            if until_empty:
                await sender.run_until_empty()
                return
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(sender.stop()))
            await sender.run()
    finally:
        await db.close_db()
