"""CCCP products carry a fixed number of credits, retired for the buyer."""

from __future__ import annotations

import pytest

from core.catalog import service as catalog
from core.catalog.errors import NotWholeUnits
from core.ledger import CARBON, STARS, Role, system_account, user_account
from core.purchases import service as purchases
from core.purchases.errors import BeneficiaryRequired
from tests.purchases.conftest import ALICE, T0


async def make_coffee(shop):
    return await catalog.create_product(
        name="CCCP coffee, 1 kg bag", description="Carries 25 kg CO2e",
        kg_per_unit=25, price_xtr=40, price_cents=99, listing_id=shop.listing.id, now=T0)


async def test_a_product_card_shows_what_it_carries_and_its_price(shop):
    await make_coffee(shop)
    [card] = await catalog.list_products()
    assert (card.name, card.kg_per_unit, card.price_xtr) == ("CCCP coffee, 1 kg bag", 25, 40)
    assert card.available_units == 400
    assert card.listing.project_name == "Hamburg landfill gas"


async def test_buying_two_units_retires_their_credits_for_the_buyer(shop):
    coffee = await make_coffee(shop)
    order = await purchases.start_purchase(
        ALICE, coffee.ref, 50, retire_for="Alice Martin", key="k", now=T0)
    assert (order.units, order.total_amount, order.product_name) == (2, 80, coffee.name)
    assert (await purchases.precheckout(order.payload, 80, STARS, now=T0)).ok
    result = await purchases.complete_payment(order.payload, "c", 80, STARS, user_id=ALICE, now=T0)
    assert result.retirement.amount_kg == 50
    assert result.retirement.beneficiary == "Alice Martin"
    assert result.retirement.reason == coffee.name
    assert (await user_account(ALICE, CARBON)).balance == 0
    assert (await system_account(Role.RETIREMENT, CARBON)).balance == 50


async def test_a_product_is_sold_in_whole_units(shop):
    coffee = await make_coffee(shop)
    with pytest.raises(NotWholeUnits):
        await purchases.start_purchase(ALICE, coffee.ref, 30, retire_for="A", key="k", now=T0)


async def test_a_product_needs_someone_to_retire_for(shop):
    coffee = await make_coffee(shop)
    with pytest.raises(BeneficiaryRequired):
        await purchases.start_purchase(ALICE, coffee.ref, 25, key="k", now=T0)
