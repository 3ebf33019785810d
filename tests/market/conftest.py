"""A market with one project: SELLER holds 20 t of its credits; buyers get Stars."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from core import db as database
from core.ledger import CARBON, STARS, Leg, Role, post, system_account, user_account, verify
from core.market.rules import Rules
from core.registry import get_project
from tests.helpers import issue_to

SELLER = 501
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RULES = Rules(fee_bps=100, min_kg=1, max_open_offers=1000, band_percent=0)
POOL_SIZE = 20


async def fund(user_id: int, stars: int, key: str) -> None:
    """Stars into a wallet as if paid in (the top-up test pays them by invoice)."""
    clearing = await system_account(Role.CLEARING, STARS)
    wallet = await user_account(user_id, STARS)
    await post(key, "payment", [Leg(clearing.id, wallet.id, stars)], now=T0)


async def stars(user_id: int) -> int:
    return (await user_account(user_id, STARS)).balance


async def carbon(user_id: int) -> int:
    return (await user_account(user_id, CARBON)).balance


async def fees() -> int:
    return (await system_account(Role.FEES, STARS)).balance


async def make_project(seller: int = SELLER, kg: int = 20_000) -> int:
    await issue_to(seller, kg, key=f"issue:{seller}", now=T0)
    return (await get_project(f"T{seller}")).id


@pytest_asyncio.fixture
async def project(db) -> int:
    return await make_project()


@pytest.fixture(params=["sqlite", "postgres"])
def pooled_url(request, tmp_path) -> str:
    """A migrated database; PostgreSQL with a pool so that racing tasks really overlap."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url") + f"?minsize=1&maxsize={POOL_SIZE}"
    path = tmp_path / "race.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


@pytest_asyncio.fixture
async def pooled(pooled_url):
    from tests.conftest import _truncate_postgres

    core.setup()
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(pooled_url))
        if pooled_url.startswith("postgres"):
            await _truncate_postgres()
        yield pooled_url
        report = await verify()
        assert report.is_clean, report.text()
