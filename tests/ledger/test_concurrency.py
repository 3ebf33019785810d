"""Racing requests: the database, not Python, keeps the ledger right.

On PostgreSQL the tasks run on a pool of up to 20 connections, so they really
overlap in the server: the conditional UPDATE (`balance >= held + amount`) and
the UNIQUE key are what stop an overdraft and a twin posting. A movement hook
records which server backend ran each posting, to show several did. SQLite
has one connection and serialises writers; the same tests run there too.
"""

from __future__ import annotations

import asyncio
import shutil

import pytest
import pytest_asyncio
from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

from core import db as database
from core import ledger
from core.ledger import HoldStatus, Leg
from core.ledger.errors import HoldNotPending, InsufficientFunds
from core.ledger.hooks import Movement
from core.ledger.models import Posting, Transfer

from .conftest import raw_sql

POOL_SIZE = 20


@pytest.fixture(params=["sqlite", "postgres"])
def pooled_url(request, tmp_path) -> str:
    """A migrated database; PostgreSQL with a pool of up to POOL_SIZE connections."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url") + f"?minsize=1&maxsize={POOL_SIZE}"
    path = tmp_path / "race.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


@pytest_asyncio.fixture
async def pooled(pooled_url):
    """The open, empty database; yields its engine name."""
    engine = "postgres" if pooled_url.startswith("postgres") else "sqlite"
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(pooled_url))
        if engine == "postgres":
            await raw_sql("TRUNCATE ledger_transfer, ledger_hold, ledger_posting, ledger_account"
                          " RESTART IDENTITY CASCADE")
        yield engine
        report = await ledger.verify()
        assert report.is_clean, report.text()


@pytest.fixture
def backends(monkeypatch) -> set[int]:
    """The server process ids that ran a carbon movement (PostgreSQL only)."""
    seen: set[int] = set()

    async def record(movement: Movement) -> None:
        conn = Tortoise.get_connection("default")  # the posting's own transaction
        if conn.capabilities.dialect == "postgres":
            _, rows = await conn.execute_query("SELECT pg_backend_pid() AS pid")
            seen.add(rows[0]["pid"])

    monkeypatch.setattr("core.ledger.hooks._hooks", {})
    ledger.on_movement(ledger.CARBON, record)
    return seen


def pool_size() -> int:
    """How many connections the PostgreSQL pool has opened so far."""
    return Tortoise.get_connection("default")._pool.get_size()


async def setup_accounts(alice_kg: int) -> tuple[int, int, int]:
    issuance = await ledger.system_account(ledger.Role.ISSUANCE, ledger.CARBON)
    alice = await ledger.user_account(1, ledger.CARBON)
    bob = await ledger.user_account(2, ledger.CARBON)
    await ledger.post("fund", "issuance", [Leg(issuance.id, alice.id, alice_kg)])
    return issuance.id, alice.id, bob.id


async def test_fifty_debits_of_an_account_that_affords_ten_let_exactly_ten_through(pooled, backends):
    _, alice, bob = await setup_accounts(100)
    lowest = []
    done = asyncio.Event()

    async def watch() -> None:
        while not done.is_set():
            lowest.append((await ledger.get_account(alice)).balance)
            await asyncio.sleep(0)

    async def spend(n: int):
        return await ledger.post(f"spend:{n}", "transfer", [Leg(alice, bob, 10)])

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(spend(n) for n in range(50)), return_exceptions=True)
    done.set()
    await watcher

    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(refused) == 40, [r for r in results if isinstance(r, Exception)][:3]
    assert len(results) - len(refused) == 10
    assert (await ledger.get_account(alice)).balance == 0
    assert (await ledger.get_account(bob)).balance == 100
    assert min(lowest) >= 0
    assert await Transfer.filter(debit_account_id=alice).count() == 10
    if pooled == "postgres":
        assert pool_size() > 1, "the tasks never needed a second connection"
        assert len(backends) > 1, "every posting ran on one server backend"


async def test_twenty_postings_of_one_key_post_once(pooled, backends):
    issuance, alice, bob = await setup_accounts(100)

    async def buy():
        return await ledger.post("buy:41", "purchase", [Leg(alice, bob, 30)], metadata={"update": 41})

    results = await asyncio.gather(*(buy() for _ in range(20)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert {r.id for r in results} == {results[0].id}
    assert await Posting.filter(key="buy:41").count() == 1
    assert await Transfer.filter(posting_id=results[0].id).count() == 1
    assert (await ledger.get_account(alice)).balance == 70
    assert (await ledger.get_account(bob)).balance == 30
    if pooled == "postgres":
        assert pool_size() > 1


async def test_racing_fills_of_one_hold_move_it_once(pooled, backends):
    _, alice, bob = await setup_accounts(100)
    held = await ledger.hold("offer:1", alice, 60, "offer")

    async def fill(n: int):
        return await ledger.post_hold(f"fill:{n}", held.id, bob)

    async def cancel(n: int):
        return await ledger.void_hold(f"cancel:{n}", held.id)

    results = await asyncio.gather(
        *(fill(n) if n % 2 else cancel(n) for n in range(20)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, HoldNotPending)]
    assert len(refused) == 19, [r for r in results if isinstance(r, Exception)][:3]
    status = (await ledger.get_hold(held.id)).status
    account = await ledger.get_account(alice)
    if status == HoldStatus.POSTED:
        assert (account.balance, account.held) == (40, 0)
    else:
        assert status == HoldStatus.VOIDED
        assert (account.balance, account.held) == (100, 0)


async def test_concurrent_transfers_both_ways_never_deadlock(pooled, backends):
    issuance, alice, bob = await setup_accounts(1000)
    await ledger.post("fund:bob", "issuance", [Leg(issuance, bob, 1000)])

    async def move(n: int):
        legs = [Leg(alice, bob, 1)] if n % 2 else [Leg(bob, alice, 1), Leg(issuance, alice, 1)]
        return await ledger.post(f"move:{n}", "transfer", legs)

    results = await asyncio.gather(*(move(n) for n in range(60)), return_exceptions=True)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert (await ledger.get_account(alice)).balance == 1000 - 30 + 60
