"""`cccp payments ...`: reconciliation with Telegram, the inbox and the outbox.

    cccp payments reconcile [--full]   compare Telegram's Stars transactions with ours;
                                       book what only Telegram has, refund what buys nothing
    cccp payments status               the inbox, the outbox, refunds owed, the last reconciliation
"""

from __future__ import annotations

import argparse
import asyncio

from core import db
from core.settings import SettingsError, load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("payments", help="reconcile Stars with Telegram; inbox and outbox state")
    sub = parser.add_subparsers(dest="payments_command", required=True, metavar="ACTION")
    p = sub.add_parser("reconcile", help="compare Telegram's Stars transactions with our payments")
    p.add_argument("--full", action="store_true", help="read every transaction, not from the stored cursor")
    p.set_defaults(func=reconcile_command)
    p = sub.add_parser("status", help="inbox, outbox, refunds owed and the last reconciliation")
    p.set_defaults(func=status_command)


def reconcile_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.bot_token:
        raise SettingsError("invalid configuration:\n  BOT_TOKEN: required to ask Telegram for its transactions")
    return asyncio.run(_reconcile(settings, full=args.full))


async def _reconcile(settings, *, full: bool) -> int:
    import core.checks  # noqa: F401  (carbon movements must move serial blocks)
    from bot.app import build_application, default_builder
    from bot.handlers.payments import reconcile_stars
    from bot.outbox import drain

    await db.open_migrated_db(settings.database_url)
    try:
        application = build_application(settings, default_builder(settings))
        async with application.bot:
            report = await reconcile_stars(application.bot, full=full)
            await drain(application)  # the refund and receipt messages it wrote
    finally:
        await db.close_db()
    print(f"checked {report.checked} Stars transaction(s) from Telegram")
    for charge in report.booked:
        print(f"  booked {charge} (Telegram had it, we did not)")
    for charge in report.refunds_booked:
        print(f"  booked the refund of {charge}")
    for problem in report.problems:
        print(f"  PROBLEM: {problem}")
    print("OK" if report.is_clean else f"{len(report.problems)} problem(s)")
    return 0 if report.is_clean else 1


def status_command(args: argparse.Namespace) -> int:
    return asyncio.run(_status(load_settings().database_url))


async def _status(url: str) -> int:
    from core import inbox, outbox
    from core.purchases.reconcile import last_report
    from core.purchases.service import refunds_owed

    await db.open_migrated_db(url)
    try:
        box = await inbox.counts()
        out = await outbox.counts()
        owed = await refunds_owed()
        last = await last_report()
    finally:
        await db.close_db()
    print(f"inbox: {box.pending} pending, {box.done} done, {box.failed} failed"
          + (f"; oldest pending since {box.oldest_pending_at:%Y-%m-%d %H:%M:%S}" if box.oldest_pending_at else ""))
    print(f"outbox: {out.pending} pending, {out.sending} sending, {out.sent} sent, {out.failed} failed")
    print(f"refunds owed: {len(owed)}")
    for refund in owed:
        print(f"  {refund.charge_id}  user {refund.user_id}  {refund.total_amount} {refund.currency}  {refund.reason}")
    if last is None:
        print("never reconciled with Telegram")
    else:
        print(f"last reconciled at {last['ran_at']}: {last['checked']} checked, "
              f"{len(last['booked'])} booked, {len(last['problems'])} problem(s)")
    return 0
