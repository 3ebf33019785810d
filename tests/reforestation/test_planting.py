"""Reduction orders become trees on plots with room; an order with no room waits and
says so; a share of the purchase's fee moves to the planting fund in the ledger."""

from __future__ import annotations

from datetime import timedelta

from core import ledger, reforestation
from core.ledger import STARS, Role
from core.purchases import service as purchases
from core.reforestation.models import TreeOrder
from tests.purchases.conftest import make_shop
from tests.reforestation.conftest import T0, make_forest

BUYER = 4242


async def buy(shop, kg: int, key: str, now):
    order = await purchases.start_purchase(BUYER, shop.listing.ref, kg, key=key, now=now)
    assert (await purchases.precheckout(order.payload, order.total_amount, STARS, now=now)).ok
    await purchases.complete_payment(order.payload, f"charge-{key}", order.total_amount, STARS, user_id=BUYER, now=now)
    return order


async def test_orders_become_trees_and_one_without_room_waits(db):
    now = T0 + timedelta(days=30)
    forest = await make_forest(trees=12)  # room for twelve trees
    shop = await make_shop(fee_bps=1_000)  # the operator keeps 10 % of each purchase
    await buy(shop, 1_000, "a", now)  # 10 trees
    await buy(shop, 500, "b", now)  # 5 trees: no room left
    assert await reforestation.plant_orders(now=now) == 1
    trees = await reforestation.trees_of(BUYER, now=now)
    assert [(t.trees, t.status) for t in trees] == [(10, "planted"), (5, "waiting")]
    assert trees[0].plot_id == forest.plot.id
    fund = await ledger.system_account(Role.PLANTING_FUND, STARS)
    fees = await ledger.system_account(Role.FEES, STARS)
    first = await TreeOrder.get(trees=10)
    assert first.fund_amount == fund.balance > 0  # half of the first purchase's fee
    assert fees.balance + fund.balance == sum(p.fee_amount for p in await purchases.purchases_of(BUYER))
    assert await reforestation.plant_orders(now=now) == 0  # planting again moves nothing


async def test_a_buyers_trees_follow_the_stand_and_never_their_credits(db):
    forest = await make_forest()
    shop = await make_shop()
    now = T0 + timedelta(days=10)
    await buy(shop, 500, "a", now)
    await reforestation.plant_orders(now=now)
    later = T0 + timedelta(days=4 * 365)
    [mine] = await reforestation.trees_of(BUYER, now=later)
    plot = await reforestation.get_plot(forest.plot.id, now=later)
    assert mine.estimated_kg == plot.stock_kg * 5 // plot.trees_planted > 0
    assert (await ledger.user_account(BUYER, ledger.CARBON)).balance == 500  # what they bought, nothing more
