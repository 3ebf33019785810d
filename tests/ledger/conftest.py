"""Fixtures for the ledger tests: a fresh database with a few accounts.

These tests prove the ledger alone. `core.setup()` installs the other areas'
movement hooks and verify checks (the registry follows every carbon movement
with its serial blocks and refuses carbon that no batch issued), so here the
`core_setup` fixture installs none: carbon, which the ledger refuses to move
unfollowed, gets a hook that moves nothing. The registry's tests cover the
ledger with its hook. Tests that start another process (crash, `cccp verify`,
the benchmark) get the real setup there, so they move money instead of carbon.

`book` opens the carbon issuance account and three user wallets (Alice, Bob,
Carol) and offers the reads the tests assert on: balances and row counts.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
import pytest_asyncio
from tortoise import Tortoise

import core
from core import ledger
from core.ledger import Leg, Movement
from core.ledger.models import Hold, Posting, Transfer


@dataclass
class Book:
    issuance: int
    alice: int
    bob: int
    carol: int
    _funded: int = 0

    async def fund(self, account_id: int, amount: int) -> None:
        """Issue `amount` kg into the account (a posting of its own)."""
        self._funded += 1
        await ledger.post(f"fund:{self._funded}", "issuance", [Leg(self.issuance, account_id, amount)])

    async def balance(self, account_id: int) -> tuple[int, int]:
        """(balance, held) as the account row says."""
        account = await ledger.get_account(account_id)
        return account.balance, account.held

    async def rows(self) -> tuple[int, int, int]:
        """How many postings, transfers and holds exist."""
        return await Posting.all().count(), await Transfer.all().count(), await Hold.all().count()


async def raw_sql(sql: str) -> list[dict]:
    """Run SQL on the open database (literal values only: no placeholders differ)."""
    _, rows = await Tortoise.get_connection("default").execute_query(sql)
    return [dict(r) for r in rows]


async def follows_nothing(movement: Movement) -> None:
    """The ledger alone: carbon moves with no serial blocks behind it."""


@pytest.fixture(autouse=True)
def core_setup(monkeypatch) -> None:
    """In place of core.setup(): no hooks or checks of other areas, the ledger's own rules only."""
    monkeypatch.setattr(sys.modules["core.ledger.hooks"], "_hooks", {ledger.CARBON: [follows_nothing]})
    # `core.ledger.verify` is also the name of the function the package exports.
    monkeypatch.setattr(sys.modules["core.ledger.verify"], "_checks", [])
    # A database opened in the test (core.db.open_db) installs nothing more.
    monkeypatch.setattr(core, "setup", lambda: None)


@pytest_asyncio.fixture
async def book(db) -> Book:
    issuance = await ledger.system_account(ledger.Role.ISSUANCE, ledger.CARBON)
    accounts = [await ledger.user_account(user_id, ledger.CARBON) for user_id in (1, 2, 3)]
    return Book(issuance.id, *(a.id for a in accounts))
