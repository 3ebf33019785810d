"""Racing takers and cancels: the database keeps the book and the holds exact.

On PostgreSQL the tasks run on a pool of connections, so they overlap in the
server; the Book row lock and the offer row lock serialise what must be.
"""

from __future__ import annotations

import asyncio

from core.ledger import get_hold
from core.market import book
from core.market.errors import BookMoved, MarketError, OfferGone
from core.market.models import OfferStatus, Trade

from .conftest import RULES, SELLER, T0, carbon, fees, fund, make_project, stars


async def test_fifty_takers_of_one_ten_tonne_offer_get_exactly_ten_fills(pooled):
    project = await make_project()
    offer = (await book.place_sell(SELLER, project, 10_000, 900, key="s1", rules=RULES, now=T0)).offer
    takers = list(range(1000, 1050))
    for taker in takers:
        await fund(taker, 900, f"fund:{taker}")

    async def take(taker: int):
        try:
            return await book.take_offer(taker, offer.id, 1_000, price_per_t=900, key=f"take:{taker}",
                                         rules=RULES, now=T0)
        except MarketError as error:
            return error

    results = await asyncio.gather(*(take(t) for t in takers))
    fills = [r for r in results if isinstance(r, book.TradeView)]
    refusals = [r for r in results if isinstance(r, MarketError)]
    assert len(fills) == 10 and len(refusals) == 40
    assert all(isinstance(r, (OfferGone, BookMoved)) for r in refusals)
    after = await book.Offer.get(id=offer.id)
    assert after.status == OfferStatus.FILLED and after.remaining_kg == 0
    assert (await get_hold(after.hold_id)).remaining == 0
    assert await carbon(SELLER) == 10_000
    assert sum([await carbon(t) for t in takers]) == 10_000
    assert await stars(SELLER) + await fees() == 9_000


async def test_fifty_cancel_and_take_races_lose_and_double_nothing(pooled):
    project = await make_project(kg=50_000)
    await fund(2000, 1_000_000, "fund:buyer")
    offers = [
        (await book.place_sell(SELLER, project, 1_000, 900, key=f"s{n}", rules=RULES, now=T0)).offer
        for n in range(50)
    ]

    async def take(offer):
        try:
            return await book.take_offer(2000, offer.id, 600, price_per_t=900, key=f"take:{offer.id}",
                                         rules=RULES, now=T0)
        except MarketError as error:
            return error

    async def cancel(offer):
        try:
            return await book.cancel_offer(SELLER, offer.id, now=T0)
        except MarketError as error:
            return error

    await asyncio.gather(*(f(o) for o in offers for f in (take, cancel)))
    traded = sum(t.amount_kg for t in await Trade.all())
    paid = sum(t.value_xtr for t in await Trade.all())
    assert traded % 600 == 0
    assert await carbon(2000) == traded
    assert await carbon(SELLER) == 50_000 - traded
    assert await stars(2000) == 1_000_000 - paid
    assert await stars(SELLER) + await fees() == paid
    for offer in offers:
        row = await book.Offer.get(id=offer.id)
        assert row.status != OfferStatus.OPEN or row.remaining_kg == 400
        if row.status != OfferStatus.OPEN:
            assert (await get_hold(row.hold_id)).status != "pending"
