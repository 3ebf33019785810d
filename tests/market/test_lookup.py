"""Staff find a trader by an offer's number, and the user card lists their open offers
(the market's finder and card section, as core.setup() registers them)."""

from __future__ import annotations

import pytest

from core import users
from core.market import book
from core.market.lookup import offer_number
from core.staff import lookup
from core.staff.errors import UserNotFound

from .conftest import RULES, SELLER, T0, fund

BUYER = 601


async def test_a_trader_is_found_by_an_offer_number_written_with_its_word(project):
    sell = (await book.place_sell(SELLER, project, 2_000, 900, key="s1", rules=RULES, now=T0)).offer
    await fund(BUYER, 5_000, "fund:buyer")
    bid = (await book.place_bid(BUYER, 1_000, 800, key="b1", project_id=project, rules=RULES, now=T0)).offer
    for text in (f"offer {sell.id}", f"Offer #{sell.id}", f"offer:{sell.id}", f"OFFER{sell.id}"):
        assert await lookup.find_user(text) == SELLER, text
    assert await lookup.find_user(f"offer #{bid.id}") == BUYER
    await book.cancel_offer(BUYER, bid.id, now=T0)
    assert await lookup.find_user(f"offer #{bid.id}") == BUYER  # a closed offer still names its trader
    with pytest.raises(UserNotFound):
        await lookup.find_user("offer #999999")


def test_a_bare_number_or_another_word_is_no_offer():
    assert offer_number("offer #12") == 12
    for text in ("#12", "12", "offers 12", "offer", "offer #", "offer 12 13", "coffer 12"):
        assert offer_number(text) is None, text


async def test_the_user_card_counts_open_offers_and_shows_the_newest(project):
    for i in range(7):
        await book.place_sell(SELLER, project, 1_000, 900 + i, key=f"s{i}", rules=RULES, now=T0)
    first = (await book.offers_of(SELLER, limit=100))[-1]
    await book.cancel_offer(SELLER, first.id, now=T0)
    offers = (await lookup.user_card(SELLER)).sections["offers"]
    assert offers.open_count == 6
    assert [o.price_per_t for o in offers.newest] == [906, 905, 904, 903, 902]
    assert all(o.held == 1_000 for o in offers.newest)  # what each still holds of the seller's credits
    await users.sign_up(BUYER, "Bea", "en", ["trader"], now=T0)
    assert (await lookup.user_card(BUYER)).sections["offers"].open_count == 0
