"""`cccp audit`: the staff audit log, newest first.

    cccp audit [--user ID] [--staff ID] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json

from core import db
from core.settings import load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="print the staff audit log (newest first)")
    parser.add_argument("--user", type=int, help="only actions on this user (Telegram id)")
    parser.add_argument("--staff", type=int, help="only actions by this staff member (Telegram id)")
    parser.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=audit_command)


def audit_command(args: argparse.Namespace) -> int:
    return asyncio.run(_audit(load_settings().database_url, args))


def format_entry(entry) -> str:
    who = "system" if entry.actor_id is None else str(entry.actor_id)
    parts = [f"#{entry.id}", entry.at.strftime("%Y-%m-%d %H:%M:%S"), who, entry.action]
    if entry.is_refused:
        parts.append("(refused)")
    if entry.target_user_id is not None:
        parts.append(f"user={entry.target_user_id}")
    if entry.target:
        parts.append(f"target={entry.target!r}")
    if entry.reason:
        parts.append(f"reason={entry.reason!r}")
    if entry.before or entry.after:
        parts.append(f"{json.dumps(entry.before, sort_keys=True)} -> {json.dumps(entry.after, sort_keys=True)}")
    if entry.posting_keys:
        parts.append("postings=" + ",".join(entry.posting_keys))
    return " ".join(parts)


async def _audit(url: str, args: argparse.Namespace) -> int:
    from core.staff import audit

    await db.open_migrated_db(url)
    try:
        page = await audit.page(user_id=args.user, actor_id=args.staff, limit=max(1, min(args.limit, 10_000)))
    finally:
        await db.close_db()
    for entry in page.entries:
        if args.json:
            print(json.dumps({"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_id,
                              "action": entry.action, "user": entry.target_user_id, "target": entry.target,
                              "reason": entry.reason, "before": entry.before, "after": entry.after,
                              "postings": list(entry.posting_keys), "refused": entry.is_refused},
                             ensure_ascii=False, sort_keys=True))
        else:
            print(format_entry(entry))
    if not page.entries and not args.json:
        print("the audit log has no entries here")
    return 0
