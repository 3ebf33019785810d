"""Offers, matching and trades against core with the `db` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.ledger import get_hold
from core.market import alerts, book, wallet
from core.market.errors import (
    BelowMinimum,
    BookMoved,
    NotEnoughCredits,
    NotEnoughStars,
    OfferGone,
    OutsideBand,
    OwnOffer,
    TooManyOffers,
)
from core.market.models import OfferStatus
from core.market.rules import Rules
from core.outbox.models import OutboxMessage
from core.purchases import service as purchases

from .conftest import RULES, SELLER, T0, carbon, fees, fund, stars

BUYER = 601
OTHER = 602


async def test_a_sell_offer_holds_its_credits_and_rests(project):
    result = await book.place_sell(SELLER, project, 10_000, 900, key="s1", rules=RULES, now=T0)
    assert result.trades == ()
    assert result.offer.status == OfferStatus.OPEN and result.offer.held == 10_000
    view = await book.book(project, now=T0)
    assert [(lvl.price_per_t, lvl.amount_kg) for lvl in view.asks] == [(900, 10_000)]


async def test_a_crossing_bid_fills_at_the_resting_price_and_the_seller_pays_the_fee(project):
    await book.place_sell(SELLER, project, 10_000, 900, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 10_000, "f1")
    result = await book.place_bid(BUYER, 4_000, 1_000, key="b1", project_id=project, rules=RULES, now=T0)
    [trade] = result.trades
    assert (trade.amount_kg, trade.price_per_t, trade.value_xtr, trade.fee_xtr) == (4_000, 900, 3_600, 36)
    assert result.offer.status == OfferStatus.FILLED
    assert await stars(BUYER) == 10_000 - 3_600
    assert await stars(SELLER) == 3_600 - 36
    assert await fees() == 36
    assert await carbon(BUYER) == 4_000
    assert trade.serials and trade.serials[0].startswith("CCCP-T501-")
    # both sides hear of the fill
    kinds = {(m.chat_id, m.kind) for m in await OutboxMessage.all()}
    assert {(SELLER, "market_fill"), (BUYER, "market_fill")} <= kinds


async def test_a_bid_that_only_partly_fills_rests_with_its_stars_held(project):
    await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 5_000, "f1")
    result = await book.place_bid(BUYER, 3_000, 950, key="b1", project_id=project, rules=RULES, now=T0)
    assert sum(t.amount_kg for t in result.trades) == 1_000
    assert result.offer.remaining_kg == 2_000 and result.offer.held == 1_900
    assert (await wallet.wallet(BUYER)).available_xtr == 5_000 - 900 - 1_900


async def test_partial_fills_round_cumulatively_and_never_cost_more_than_the_whole(project):
    await book.place_sell(SELLER, project, 1_000, 999, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 2_000, "f1")
    paid = 0
    for n in range(10):
        trade = await book.take_offer(BUYER, (await book.offers_of(SELLER))[0].id, 100, price_per_t=999,
                                      key=f"t{n}", rules=RULES, now=T0)
        paid += trade.value_xtr
    assert paid == 999  # value(1000 kg at 999/t); each 100 kg alone would round 99.9 up to 100


async def test_own_offers_never_trade_with_each_other(project):
    await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await fund(SELLER, 5_000, "f1")
    result = await book.place_bid(SELLER, 1_000, 1_000, key="b1", project_id=project, rules=RULES, now=T0)
    assert result.trades == () and result.offer.status == OfferStatus.OPEN
    with pytest.raises(OwnOffer):
        await book.take_offer(SELLER, result.offer.id, 10, price_per_t=1_000, key="t", rules=RULES, now=T0)


async def test_price_then_time_priority(project):
    a = await book.place_sell(SELLER, project, 1_000, 950, key="s1", rules=RULES, now=T0)
    b = await book.place_sell(SELLER, project, 1_000, 900, key="s2", rules=RULES, now=T0 + timedelta(seconds=1))
    c = await book.place_sell(SELLER, project, 1_000, 900, key="s3", rules=RULES, now=T0 + timedelta(seconds=2))
    await fund(BUYER, 5_000, "f1")
    result = await book.place_bid(BUYER, 2_500, 1_000, key="b1", project_id=project, rules=RULES,
                                  now=T0 + timedelta(seconds=3))
    assert [t.sell_offer_id for t in result.trades] == [b.offer.id, c.offer.id, a.offer.id]
    assert [t.amount_kg for t in result.trades] == [1_000, 1_000, 500]


async def test_a_remainder_below_the_minimum_fill_is_released(project):
    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", min_fill_kg=300, rules=RULES, now=T0)
    await fund(BUYER, 5_000, "f1")
    await book.take_offer(BUYER, s.offer.id, 800, price_per_t=900, key="t1", rules=RULES, now=T0)
    offer = await book.get_offer(s.offer.id)
    assert offer.status == OfferStatus.FILLED and offer.remaining_kg == 200 and offer.held == 0
    assert await carbon(SELLER) == 20_000 - 800


async def test_taking_at_a_price_the_book_no_longer_has_moves_nothing(project):
    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 5_000, "f1")
    with pytest.raises(BookMoved):
        await book.take_offer(BUYER, s.offer.id, 100, price_per_t=800, key="t1", rules=RULES, now=T0)
    with pytest.raises(BookMoved):
        await book.take_offer(BUYER, s.offer.id, 1_001, price_per_t=900, key="t2", rules=RULES, now=T0)
    assert await stars(BUYER) == 5_000


async def test_a_cancelled_offer_releases_its_hold_and_a_stale_take_is_told_so(project):
    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await book.cancel_offer(SELLER, s.offer.id, now=T0)
    assert (await get_hold((await book.Offer.get(id=s.offer.id)).hold_id)).remaining == 0
    with pytest.raises(OfferGone):
        await book.take_offer(BUYER, s.offer.id, 100, price_per_t=900, key="t1", rules=RULES, now=T0)
    with pytest.raises(OfferGone):
        await book.cancel_offer(SELLER, s.offer.id, now=T0)
    assert await OutboxMessage.filter(chat_id=SELLER, kind="market_closed").count() == 1


async def test_offers_expire_on_schedule(project):
    await fund(BUYER, 5_000, "f1")
    b = await book.place_bid(BUYER, 1_000, 800, key="b1", project_id=project, rules=RULES, now=T0,
                             expires_at=T0 + timedelta(hours=1))
    assert await book.expire_offers(now=T0 + timedelta(minutes=59)) == []
    assert await book.expire_offers(now=T0 + timedelta(hours=1)) == [b.offer.id]
    assert (await wallet.wallet(BUYER)).held_xtr == 0


async def test_limits_refuse_with_a_reason(project):
    rules = Rules(fee_bps=100, min_kg=100, max_open_offers=2, band_percent=20)
    with pytest.raises(BelowMinimum):
        await book.place_sell(SELLER, project, 50, 900, key="s0", rules=rules, now=T0)
    await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=rules, now=T0)
    await fund(BUYER, 5_000, "f1")
    await book.take_offer(BUYER, (await book.offers_of(SELLER))[0].id, 100, price_per_t=900, key="t", rules=rules,
                          now=T0)
    with pytest.raises(OutsideBand):
        await book.place_sell(SELLER, project, 1_000, 2_000, key="s2", rules=rules, now=T0)
    await book.place_sell(SELLER, project, 1_000, 1_000, key="s3", rules=rules, now=T0)
    with pytest.raises(TooManyOffers):
        await book.place_sell(SELLER, project, 1_000, 1_000, key="s4", rules=rules, now=T0)
    with pytest.raises(NotEnoughCredits):
        await book.place_sell(OTHER, project, 1_000, 1_000, key="s5", rules=rules, now=T0)
    with pytest.raises(NotEnoughStars):
        await book.place_bid(OTHER, 1_000, 1_000, key="b5", project_id=project, rules=rules, now=T0)
    assert await book.Offer.filter(key__in=["s0", "s2", "s4", "s5", "b5"]).count() == 0


async def test_a_filter_bid_fills_from_a_new_sell_offer_of_a_matching_project(project):
    await fund(BUYER, 5_000, "f1")
    bid = await book.place_bid(BUYER, 1_000, 900, key="b1", filters=book.Filters(project_type="landfill_methane"),
                               rules=RULES, now=T0)
    proj = await book.Project.get(id=project)
    if proj.project_type != "landfill_methane":
        bid = await book.place_bid(BUYER, 1_000, 900, key="b2", filters=book.Filters(project_type=proj.project_type),
                                   rules=RULES, now=T0)
    result = await book.place_sell(SELLER, project, 500, 850, key="s1", rules=RULES, now=T0)
    assert [t.buy_offer_id for t in result.trades] == [bid.offer.id]
    assert result.trades[0].price_per_t == 900


async def test_an_alert_notifies_once_per_matching_offer(project):
    alert = await alerts.create_alert(BUYER, 900, project_id=project, now=T0)
    await book.place_sell(SELLER, project, 500, 850, key="s1", rules=RULES, now=T0)
    await book.place_sell(SELLER, project, 500, 950, key="s2", rules=RULES, now=T0)  # too dear
    await book.place_sell(SELLER, project, 500, 880, key="s3", rules=RULES, now=T0)
    assert await OutboxMessage.filter(chat_id=BUYER, kind="market_alert").count() == 2
    assert await alerts.delete_alert(BUYER, alert.id)
    await book.place_sell(SELLER, project, 500, 800, key="s4", rules=RULES, now=T0)
    assert await OutboxMessage.filter(chat_id=BUYER, kind="market_alert").count() == 2


async def test_a_topup_is_credited_once_per_charge_and_checked_like_a_purchase(project):
    order = await wallet.start_topup(BUYER, 500, now=T0)
    assert (await purchases.precheckout(order.payload, 400, "XTR", user_id=BUYER, now=T0)).ok is False
    assert (await purchases.precheckout(order.payload, 500, "XTR", user_id=OTHER, now=T0)).ok is False
    assert (await purchases.precheckout(order.payload, 500, "XTR", user_id=BUYER, now=T0)).ok
    for _ in range(2):
        await purchases.complete_payment(order.payload, "ch-1", 500, "XTR", user_id=BUYER, now=T0)
    assert await stars(BUYER) == 500
    # a second charge for the paid order is kept for a refund, not credited
    result = await purchases.complete_payment(order.payload, "ch-2", 500, "XTR", user_id=BUYER, now=T0)
    assert result.needs_refund and await stars(BUYER) == 500


async def test_a_withdrawal_is_held_until_staff_settle_it(project):
    await fund(BUYER, 1_000, "f1")
    request = await wallet.request_withdrawal(BUYER, 600, key="w1", now=T0)
    assert (await wallet.wallet(BUYER)).available_xtr == 400
    with pytest.raises(NotEnoughStars):
        await wallet.request_withdrawal(BUYER, 600, key="w2", now=T0)
    await wallet.reject_withdrawal(request.id, note="no account given", now=T0)
    assert (await wallet.wallet(BUYER)).available_xtr == 1_000
    again = await wallet.request_withdrawal(BUYER, 600, key="w3", now=T0)
    await wallet.approve_withdrawal(again.id, note="paid by bank", now=T0)
    assert await stars(BUYER) == 400


async def test_reputation_counts_completed_trades_and_volume(project):
    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 5_000, "f1")
    await book.take_offer(BUYER, s.offer.id, 300, price_per_t=900, key="t1", rules=RULES, now=T0)
    await book.take_offer(BUYER, s.offer.id, 200, price_per_t=900, key="t2", rules=RULES, now=T0)
    assert await book.reputation(SELLER) == book.Reputation(2, 500)


async def test_a_replayed_take_moves_nothing_twice(project):
    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await fund(BUYER, 5_000, "f1")
    first = await book.take_offer(BUYER, s.offer.id, 300, price_per_t=900, key="t1", rules=RULES, now=T0)
    again = await book.take_offer(BUYER, s.offer.id, 300, price_per_t=900, key="t1", rules=RULES, now=T0)
    assert first.id == again.id and await carbon(BUYER) == 300


async def test_verify_finds_an_offer_whose_hold_does_not_match_it(project):
    from core.ledger import verify

    s = await book.place_sell(SELLER, project, 1_000, 900, key="s1", rules=RULES, now=T0)
    await book.Offer.filter(id=s.offer.id).update(remaining_kg=900)  # drift no rule allows
    report = await verify()
    assert any(f"market offer {s.offer.id}" in p for p in report.problems)
    await book.Offer.filter(id=s.offer.id).update(remaining_kg=1_000)


async def test_an_expired_offer_is_listed_as_expired_for_a_week_and_its_notice_says_what_was_released(project):
    await fund(BUYER, 5_000, "f1")
    b = await book.place_bid(BUYER, 1_000, 800, key="b1", project_id=project, rules=RULES, now=T0,
                             expires_at=T0 + timedelta(hours=1))
    mine = await book.my_offers(BUYER, now=T0 + timedelta(minutes=30))
    assert [o.id for o in mine.live] == [b.offer.id] and mine.expired == ()
    # past its time the offer reads as expired even before the job closes it
    mine = await book.my_offers(BUYER, now=T0 + timedelta(hours=1))
    assert mine.live == () and [o.id for o in mine.expired] == [b.offer.id]
    await book.expire_offers(now=T0 + timedelta(hours=1))
    [notice] = await OutboxMessage.filter(chat_id=BUYER, kind="market_closed")
    assert notice.params["status"] == "expired" and notice.params["released"] == 800
    assert [o.id for o in (await book.my_offers(BUYER, now=T0 + timedelta(days=7))).expired] == [b.offer.id]
    assert await book.my_offers(BUYER, now=T0 + timedelta(days=8)) == book.MyOffers((), ())
