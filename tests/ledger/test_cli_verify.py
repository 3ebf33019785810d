"""`cccp verify` exits 0 on a clean ledger and 1, printing the drift, on a corrupt one."""

from __future__ import annotations

import asyncio
import shutil

from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

from core import db as database
from core import ledger
from core.ledger import Leg

from .conftest import raw_sql
from .test_crash import cccp_verify


async def _fund_alice(url: str, corrupt: bool) -> int:
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(url))
        # Money: in a process of its own the registry allows no carbon without serials.
        clearing = await ledger.system_account(ledger.Role.CLEARING, "EUR")
        alice = await ledger.user_account(1, "EUR")
        await ledger.post("fund", "payment", [Leg(clearing.id, alice.id, 1000)])
        if corrupt:
            await raw_sql(f"UPDATE ledger_account SET balance = 1001 WHERE id = {alice.id}")
        return alice.id


def test_cccp_verify_exits_zero_on_a_clean_ledger_and_one_on_drift(sqlite_template, tmp_path):
    path = tmp_path / "cccp.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite://{path}"
    asyncio.run(_fund_alice(url, corrupt=False))

    clean = cccp_verify(url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "OK: no drift" in clean.stdout
    assert "transfers: 1" in clean.stdout

    alice = asyncio.run(_fund_alice(url, corrupt=True))  # the key replays; then the UPDATE
    drifted = cccp_verify(url)
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert f"account {alice} (user:1/wallet/EUR): balance 1001 but transfers sum to 1000" in (
        drifted.stdout
    )
    assert "asset EUR sums to 1, not 0" in drifted.stdout
    assert "DRIFT: 2 problem(s)" in drifted.stdout
