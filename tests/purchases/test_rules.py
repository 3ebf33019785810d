"""The buying rules core decides (the chat only asks): units, who must retire, whether
someone holds enough, the reason's length; and the one money formatter over integers."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from core.catalog import service as catalog
from core.footprint import check_route, flight
from core.footprint.errors import SameAirport
from core.purchases import service as purchases
from core.purchases.errors import BadUnits, NotEnoughCredits
from tests.helpers import issue_to
from tests.purchases.conftest import ALICE, T0


async def make_coffee(shop):
    return await catalog.create_product(
        name="CCCP coffee, 1 kg bag", description="Carries 25 kg CO2e",
        kg_per_unit=25, price_xtr=40, price_cents=99, listing_id=shop.listing.id, now=T0)


async def test_three_units_of_a_product_weigh_three_times_its_kg_and_cost_three_times_its_price(shop):
    coffee = await make_coffee(shop)
    quote = await purchases.quote_units(coffee.ref, 3)
    assert (quote.amount_kg, quote.units, quote.total) == (75, 3, 120)


@pytest.mark.parametrize("units", [0, -1, 1001, True, "2"])
async def test_a_number_of_units_outside_1_to_1000_is_refused(shop, units):
    coffee = await make_coffee(shop)
    with pytest.raises(BadUnits):
        purchases.kg_of_units(await catalog.get_item(coffee.ref), units)


async def test_products_must_be_retired_and_listings_may_be_kept(shop):
    coffee = await make_coffee(shop)
    assert purchases.must_retire(coffee.ref) and catalog.is_product_ref(coffee.ref)
    assert not purchases.must_retire(shop.listing.ref) and not catalog.is_product_ref(shop.listing.ref)
    assert not catalog.is_product_ref("X1") and not catalog.is_product_ref("")


async def test_retiring_more_than_one_holds_is_refused_with_what_one_holds(db):
    await issue_to(ALICE, 1250, "rules:alice")
    assert await purchases.check_can_retire(ALICE, 1250) == 1250
    with pytest.raises(NotEnoughCredits) as refused:
        await purchases.check_can_retire(ALICE, 1251)
    assert refused.value.params["available_kg"] == 1250


def test_a_reason_handed_over_is_tidied_and_cut_to_300_characters():
    assert purchases.cut_reason("  Flight   LHR–CDG ") == "Flight LHR–CDG"
    assert len(purchases.cut_reason("x" * 5000)) == purchases.MAX_REASON_CHARS == 300


def test_the_same_airport_at_both_ends_is_refused_by_core():
    with pytest.raises(SameAirport):
        check_route("LHR", "LHR")
    check_route("LHR", None)  # the other end is not chosen yet
    with pytest.raises(SameAirport):
        flight("LHR", "LHR")


@pytest.mark.parametrize(("language", "currency", "minor", "text"), [
    ("en", "XTR", 1500, "1,500 ⭐"),
    ("de", "XTR", 1500, "1.500 ⭐"),
    ("en", "EUR", 750, "€7.50"),
    ("de", "EUR", 750, "7,50\xa0€"),
    ("fr", "EUR", 750, "7,50\xa0€"),
    ("en", "JPY", 750, "¥750"),
    # Telegram counts forints in hundredths (exp 2), where ISO 4217 has no minor unit
    ("en", "HUF", 32_829, "HUF328.29"),
    ("de", "HUF", 32_829, "328,29\xa0HUF"),
    # past a float's 53 bits: a float would print ...992.00 or similar
    ("en", "EUR", 9_007_199_254_740_993, "€90,071,992,547,409.93"),
])
def test_money_is_formatted_from_whole_minor_units_without_a_float(language, currency, minor, text):
    assert translator(language).money(currency, minor) == text


def test_money_refuses_anything_but_whole_minor_units():
    with pytest.raises(TypeError):
        translator("en").money("EUR", 7.5)
