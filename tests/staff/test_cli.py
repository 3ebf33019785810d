"""`cccp audit` prints the staff audit log of a real database."""

from __future__ import annotations

import asyncio
import json

from tortoise.backends.base import executor

from cccp.__main__ import main
from core import db as database
from core import users
from core.staff import freezes, roles
from tests.purchases.conftest import T0

ADMIN, BOB = 7001, 1002


async def _seed(url: str) -> None:
    executor.EXECUTOR_CACHE.clear()
    await database.open_db(url)
    try:
        for user_id in (ADMIN, BOB):
            await users.sign_up(user_id, "X", "en", ["consumer"], now=T0)
        await roles.sync_admins([ADMIN], now=T0)
        await freezes.freeze(ADMIN, BOB, "chargeback", now=T0)
    finally:
        await database.close_db()


def test_cccp_audit_prints_who_did_what_to_whom_and_why(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    asyncio.run(_seed(db_url))
    assert main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("#2 ") and f"{ADMIN} freeze user={BOB} reason='chargeback'" in lines[0]
    assert "system admin_added" in lines[1]
    assert main(["audit", "--staff", str(ADMIN), "--json"]) == 0
    [entry] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (entry["action"], entry["user"], entry["after"]["frozen"]) == ("freeze", BOB, True)
