"""Fixtures for the ledger tests: a fresh database with a few accounts.

`book` opens the carbon issuance account and two user wallets (Alice, Bob)
and offers the reads the tests assert on: balances, row counts and raw SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest_asyncio
from tortoise import Tortoise

from core import ledger
from core.ledger import Leg
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
        await ledger.post(f"fund:{self._funded}", "issue", [Leg(self.issuance, account_id, amount)])

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


@pytest_asyncio.fixture
async def book(db) -> Book:
    issuance = await ledger.system_account(ledger.Role.ISSUANCE, ledger.CARBON)
    accounts = [await ledger.user_account(user_id, ledger.CARBON) for user_id in (1, 2, 3)]
    return Book(issuance.id, *(a.id for a in accounts))
