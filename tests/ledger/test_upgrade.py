"""`cccp db upgrade` carries a database made before migration 0002 forward.

The database is built at 0001 and filled with what the ledger wrote then (by
hand: today's code writes the rows 0002 adds): a payment, a hold posted in
part and still pending, one posted with the rest released, one voided, one
posted in part and then expired, and a posting of a kind no longer in the
code. After `cccp db upgrade`, `cccp verify` is clean, every post, void and
expiry is a hold step, the old kind is a known one, and the guards hold.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api.migrate import migrate

from core import db as database
from core import ledger
from core.ledger import HoldAction, HoldStatus
from core.ledger.models import PostingKind
from tests.conftest import DB_KINDS, POSTGRES_URL, _admin

ROOT = Path(__file__).resolve().parents[2]
AT = "'2025-06-01 12:00:00+00:00'"


@pytest.fixture(params=DB_KINDS)
def empty_url(request, tmp_path):
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'old.sqlite3'}"
        return
    name = f"cccp_upgrade_{secrets.token_hex(4)}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _at_0001(url: str) -> None:
    try:
        await migrate(config=database.tortoise_config(url), target="models.0001_initial")
    finally:
        await Tortoise.close_connections()


class Old:
    """Writes rows as the ledger did before 0002, and remembers their ids."""

    def __init__(self) -> None:
        self.conn = Tortoise.get_connection("default")

    async def insert(self, table: str, **columns: object) -> int:
        names = ", ".join(f'"{name}"' for name in columns)
        values = ", ".join(str(v) for v in columns.values())
        rows = await self.conn.execute_query_dict(f"INSERT INTO {table} ({names}) VALUES ({values}) RETURNING id")
        return rows[0]["id"]

    async def account(self, owner: str, role: str, *, balance: int, held: int = 0) -> int:
        return await self.insert(
            "ledger_account", owner=f"'{owner}'", role=f"'{role}'", asset="'EUR'", balance=balance,
            held=held, is_nonnegative="FALSE" if role == "clearing" else "TRUE", is_frozen="FALSE",
            created_at=AT,
        )

    async def posting(self, key: str, kind: str, metadata: str = "{}") -> int:
        return await self.insert(
            "ledger_posting", key=f"'{key}'", kind=f"'{kind}'", memo="''", metadata=f"'{metadata}'",
            fingerprint="'f'", created_at=AT,
        )

    async def transfer(self, posting: int, debit: int, credit: int, amount: int, hold: int | None = None) -> None:
        await self.insert(
            "ledger_transfer", posting_id=posting, debit_account_id=debit, credit_account_id=credit,
            asset="'EUR'", amount=amount, hold_id="NULL" if hold is None else hold, created_at=AT,
        )

    async def hold(self, key: str, account: int, amount: int, remaining: int, status: str, kind: str) -> int:
        return await self.insert(
            "ledger_hold", key=f"'{key}'", account_id=account, amount=amount, remaining=remaining,
            status=f"'{status}'", kind=f"'{kind}'", memo="''", metadata="'{}'", fingerprint="'f'",
            created_at=AT, closed_at="NULL" if status == "pending" else AT,
        )


async def _fill_as_before_0002(url: str) -> dict[str, int]:
    executor.EXECUTOR_CACHE.clear()
    await Tortoise.init(config=database.tortoise_config(url))
    try:
        old = Old()
        clearing = await old.account("system", "clearing", balance=-1000)
        alice = await old.account("user:1", "wallet", balance=845, held=200)
        bob = await old.account("user:2", "wallet", balance=155)
        await old.transfer(await old.posting("pay", "payment"), clearing, alice, 1000)
        # Posted in part, the rest still reserved.
        partly = await old.hold("h:partly", alice, 300, 200, "pending", "offer")
        await old.transfer(await old.posting("p:partly", "post_hold", f'{{"hold_id": {partly}}}'), alice, bob,
                           100, partly)
        # Posted in part, the rest released by the same post.
        posted = await old.hold("h:posted", alice, 200, 0, "posted", "offer")
        await old.transfer(await old.posting("p:posted", "post_hold", f'{{"hold_id": {posted}}}'), alice, bob,
                           50, posted)
        voided = await old.hold("h:voided", alice, 100, 0, "voided", "purchase")
        await old.posting("v:voided", "void_hold", f'{{"hold_id": {voided}, "released": 100}}')
        expired = await old.hold("h:expired", alice, 60, 0, "expired", "offer")
        await old.transfer(await old.posting("p:expired", "post_hold", f'{{"hold_id": {expired}}}'), alice, bob,
                           10, expired)
        await old.posting("x:expired", "expire_hold", f'{{"hold_id": {expired}, "released": 50}}')
        await old.transfer(await old.posting("old-kind", "buy"), bob, alice, 5)  # a kind of before
        return {"alice": alice, "bob": bob, "partly": partly, "posted": posted, "voided": voided,
                "expired": expired}
    finally:
        await Tortoise.close_connections()


def cccp(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "cccp", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


async def _after_upgrade(url: str, ids: dict[str, int]) -> None:
    executor.EXECUTOR_CACHE.clear()
    await database.open_migrated_db(url)
    try:
        steps = {name: [(s.action, s.posted, s.released) for s in await ledger.hold_history(ids[name])]
                 for name in ("partly", "posted", "voided", "expired")}
        assert steps == {
            "partly": [(HoldAction.POST, 100, 0)],
            "posted": [(HoldAction.POST, 50, 150)],
            "voided": [(HoldAction.VOID, 0, 100)],
            "expired": [(HoldAction.POST, 10, 0), (HoldAction.EXPIRE, 0, 50)],
        }
        assert (await PostingKind.get(code="buy")).description == "recorded before kinds were a closed set"
        conn = Tortoise.get_connection("default")
        with pytest.raises(IntegrityError):
            await conn.execute_query("DELETE FROM ledger_transfer")
        # The ledger goes on where the old one stopped.
        await ledger.post_hold("p:partly:2", ids["partly"], ids["bob"], amount=200)
        assert (await ledger.get_hold(ids["partly"])).status == HoldStatus.POSTED
        report = await ledger.verify()
        assert report.is_clean, report.text()
    finally:
        await database.close_db()


def test_an_upgrade_carries_a_database_from_before_0002_forward(empty_url):
    asyncio.run(_at_0001(empty_url))
    ids = asyncio.run(_fill_as_before_0002(empty_url))

    upgraded = cccp("db", "upgrade", url=empty_url)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    verified = cccp("verify", url=empty_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: no drift" in verified.stdout

    asyncio.run(_after_upgrade(empty_url, ids))
