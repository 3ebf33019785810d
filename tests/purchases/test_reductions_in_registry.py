"""A purchase's reduction order is visible in the registry's look-up of its retirement."""

from __future__ import annotations

from core import registry
from core.purchases import service as purchases
from tests.purchases.conftest import ALICE, T0
from tests.purchases.test_buying import buy


async def test_looking_up_a_purchased_retirement_shows_its_recorded_reduction_order(shop):
    result = await buy(shop, 500, retire_for="Zoë", reason="offset of flight LHR–CDG")
    found = await registry.lookup(result.retirement.id)
    [order] = found.reductions
    assert (order.status, order.amount_kg, order.created_at) == ("recorded", 500, T0)
    assert order.retirement_id == result.retirement.id


async def test_a_retirement_id_typed_in_lower_case_still_shows_the_reduction_order(shop):
    result = await buy(shop, 500, retire_for="Zoë")
    found = await registry.lookup(result.retirement.id.lower())
    assert [r.amount_kg for r in found.reductions] == [500]


async def test_a_retirement_of_credits_kept_earlier_shows_no_reduction_order(shop):
    await buy(shop, 500)  # kept in the account: its order names no retirement
    retirement = await purchases.retire_own_credits(ALICE, 200, "Alice", key="later")
    found = await registry.lookup(retirement.id)
    assert found.reductions == ()
    [order] = await purchases.reduction_orders()
    assert (order.status, order.amount_kg, order.retirement_id) == ("recorded", 500, None)


async def test_the_reduction_order_list_names_the_retirement_it_came_with(shop):
    result = await buy(shop, 500, retire_for="Zoë")
    [order] = await purchases.reduction_orders()
    assert order.retirement_id == result.retirement.id
