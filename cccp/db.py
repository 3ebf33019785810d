"""`cccp db upgrade` and `cccp verify`."""

from __future__ import annotations

import argparse
import asyncio

from core import db
from core.settings import load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    db_parser = subparsers.add_parser("db", help="database schema")
    db_sub = db_parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply the migrations not applied yet")
    upgrade.set_defaults(func=run_upgrade)

    verify = subparsers.add_parser("verify", help="recompute the ledger and registry; exit 1 on drift")
    verify.set_defaults(func=run_verify)


def run_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    asyncio.run(db.upgrade(settings.database_url))
    print(f"database {db.describe(settings.database_url)} is up to date")
    return 0


async def _verify(url: str) -> int:
    from core.checks import verify_all

    await db.open_migrated_db(url)  # no schema is not drift: exit 2, not 1
    try:
        report = await verify_all()
    finally:
        await db.close_db()
    print(report.text())
    return 0 if report.is_clean else 1


def run_verify(args: argparse.Namespace) -> int:
    settings = load_settings()
    return asyncio.run(_verify(settings.database_url))
