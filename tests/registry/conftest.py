"""Registry fixtures: an approved project per methodology kind, a clock, helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import ledger, registry
from core.ledger import CARBON
from tests.helpers import sign_up_producer

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PRODUCER = 1001


@pytest.fixture
def now() -> datetime:
    return NOW


async def make_project(*, methodology: str = "ACM0001", approve: bool = True, producer_id: int = PRODUCER, **kw):
    await sign_up_producer(producer_id)
    return await registry.create_project(
        name=kw.pop("name", "Hamburg landfill gas"),
        methodology=methodology,
        country=kw.pop("country", "DE"),
        producer_id=producer_id,
        approve=approve,
        now=NOW,
        **kw,
    )


async def wallet(user_id: int) -> ledger.AccountView:
    return await ledger.user_account(user_id, CARBON)


async def balance_kg(user_id: int) -> int:
    return (await wallet(user_id)).balance
