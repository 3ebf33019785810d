"""A small shop: one landfill-methane project with 10 t of 2023 credits in the
producer's wallet, listed at 1000 Stars (or EUR 15.00) per tonne."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest_asyncio

from core import registry
from core.catalog import service as catalog
from core.ledger import CARBON, user_account
from tests.helpers import sign_up_producer

PRODUCER = 900
ALICE = 1001
BOB = 1002
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Shop:
    project: registry.ProjectView
    batch: registry.BatchView
    listing: catalog.ListingCard
    producer_carbon_id: int


async def make_shop(*, amount_kg: int = 10_000, price_xtr_per_t: int = 1000, fee_bps: int = 0,
                    code: str = "LAND") -> Shop:
    await sign_up_producer(PRODUCER)
    project = await registry.create_project(
        name="Hamburg landfill gas", methodology="ACM0001", country="DE",
        producer_id=PRODUCER, code=code, approve=True, now=T0,
    )
    batch = await registry.issue_batch(project.id, 2023, amount_kg, key=f"test:{code}", now=T0)
    listing = await catalog.create_listing(
        project_code=project.code, batch_id=batch.id, price_xtr_per_t=price_xtr_per_t,
        price_cents_per_t=1500, currency="EUR", fee_bps=fee_bps, now=T0,
    )
    producer = await user_account(PRODUCER, CARBON)
    return Shop(project, batch, listing, producer.id)


@pytest_asyncio.fixture
async def shop(db) -> Shop:
    return await make_shop()
