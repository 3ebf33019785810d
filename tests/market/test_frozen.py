"""A frozen trader reads the market but moves nothing: no offer, no take (issue 18)."""

from __future__ import annotations

import pytest

from core import users
from core.errors import DomainError
from core.market import book
from core.staff import freezes, roles

from .conftest import RULES, SELLER, T0, carbon, fund, stars

BUYER = 502
ADMIN = 509


@pytest.fixture
async def admin(project):
    await users.sign_up(ADMIN, "Ada", "en", ["consumer"], now=T0)
    await users.sign_up(BUYER, "Bea", "en", ["consumer", "trader"], now=T0)
    await users.sign_up(SELLER, "Sol", "en", ["consumer", "trader"], now=T0)
    await roles.sync_admins([ADMIN], now=T0)
    return project


async def test_a_frozen_seller_cannot_post_and_a_frozen_buyer_cannot_take(admin):
    project = admin
    await fund(BUYER, 5_000, "f1")
    offer = (await book.place_sell(SELLER, project, 2_000, 900, key="s1", rules=RULES, now=T0)).offer

    await freezes.freeze(ADMIN, SELLER, "checking a chargeback", now=T0)
    with pytest.raises(DomainError) as refused:
        await book.place_sell(SELLER, project, 1_000, 900, key="s2", rules=RULES, now=T0)
    assert refused.value.code == "account_frozen"

    await freezes.freeze(ADMIN, BUYER, "checking a chargeback", now=T0)
    with pytest.raises(DomainError) as refused:
        await book.take_offer(BUYER, offer.id, 1_000, price_per_t=900, key="t1", rules=RULES, now=T0)
    assert refused.value.code == "account_frozen"
    assert await stars(BUYER) == 5_000 and await carbon(BUYER) == 0  # nothing moved
    assert await carbon(SELLER) == 20_000
