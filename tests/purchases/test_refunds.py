"""Payments that cannot buy the credits: booked in, marked for refund, booked out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.catalog import service as catalog
from core.ledger import CARBON, STARS, Role, get_account, history, system_account, user_account
from core.purchases import service as purchases
from core.purchases.errors import NotRefundable
from core.purchases.models import PaymentOutcome, PurchaseStatus
from tests.purchases.conftest import ALICE, BOB, PRODUCER, T0

TTL = 900


async def held_order(shop, amount_kg=500, *, user=ALICE, key="k"):
    order = await purchases.start_purchase(user, shop.listing.ref, amount_kg, key=key, now=T0)
    assert (await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0,
                                        hold_ttl_s=TTL)).ok
    return order


async def test_paying_after_the_hold_expired_ends_in_a_refund(shop):
    order = await held_order(shop)
    late = T0 + timedelta(seconds=TTL + 1)
    result = await purchases.complete_payment(order.payload, "late", 500, STARS, user_id=ALICE, now=late)
    assert result.needs_refund and result.reason == "hold_expired"
    assert result.purchase.status == PurchaseStatus.REFUND_NEEDED
    assert await user_account(ALICE, CARBON) and (await user_account(ALICE, CARBON)).balance == 0
    assert (await get_account(shop.producer_carbon_id)).held == 0  # the credits are free again
    # The Stars came in and wait in suspense until they are refunded, never in a wallet.
    assert (await user_account(ALICE, STARS)).balance == 0
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 500


async def test_recording_the_refund_sends_the_money_back_out_once(shop):
    order = await held_order(shop)
    late = T0 + timedelta(seconds=TTL + 1)
    await purchases.complete_payment(order.payload, "late", 500, STARS, user_id=ALICE, now=late)
    refunded = await purchases.record_refund("late", now=late)
    again = await purchases.record_refund("late", now=late)
    assert refunded.outcome == again.outcome == PaymentOutcome.REFUNDED
    assert refunded.purchase.status == PurchaseStatus.REFUNDED
    assert (await user_account(ALICE, STARS)).balance == 0
    assert (await system_account(Role.CLEARING, STARS)).balance == 0
    suspense = await system_account(Role.SUSPENSE, STARS)
    assert suspense.balance == 0
    page = await history([suspense.id])
    assert sorted(e.amount for e in page.entries) == [-500, 500]


async def test_a_completed_payment_is_not_refunded_here(shop):
    order = await held_order(shop)
    await purchases.complete_payment(order.payload, "ok", 500, STARS, user_id=ALICE, now=T0)
    with pytest.raises(NotRefundable):
        await purchases.record_refund("ok", now=T0)


async def test_the_expiry_job_releases_lapsed_holds_and_returns_the_order_to_pending(shop):
    order = await held_order(shop)
    report = await purchases.expire_purchases(T0 + timedelta(seconds=TTL))
    assert (report.holds_expired, report.orders_released) == (1, 1)
    assert (await get_account(shop.producer_carbon_id)).held == 0
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.PENDING
    # A new pre-checkout holds again.
    again = T0 + timedelta(seconds=TTL + 5)
    assert (await purchases.precheckout(order.payload, 500, STARS, now=again)).ok
    assert (await get_account(shop.producer_carbon_id)).held == 500


async def test_a_pre_checkout_after_the_hold_lapsed_but_before_the_job_holds_anew(shop):
    order = await held_order(shop)
    later = T0 + timedelta(seconds=TTL + 1)
    assert (await purchases.precheckout(order.payload, 500, STARS, now=later, hold_ttl_s=TTL)).ok
    assert (await get_account(shop.producer_carbon_id)).held == 500
    result = await purchases.complete_payment(order.payload, "c", 500, STARS, user_id=ALICE, now=later)
    assert result.outcome == PaymentOutcome.COMPLETED


async def test_the_expiry_job_expires_orders_nobody_paid_for_a_day(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k", now=T0)
    report = await purchases.expire_purchases(T0 + timedelta(seconds=purchases.ORDER_TTL_S))
    assert report.orders_expired == 1
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.EXPIRED


async def test_a_payment_for_an_expired_order_is_refunded(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k", now=T0)
    day = T0 + timedelta(seconds=purchases.ORDER_TTL_S)
    await purchases.expire_purchases(day)
    result = await purchases.complete_payment(order.payload, "c", 500, STARS, user_id=ALICE, now=day)
    assert result.needs_refund and result.reason == "hold_expired"


async def test_a_second_different_payment_for_a_paid_order_is_refunded(shop):
    order = await held_order(shop)
    await purchases.complete_payment(order.payload, "one", 500, STARS, user_id=ALICE, now=T0)
    second = await purchases.complete_payment(order.payload, "two", 500, STARS, user_id=ALICE, now=T0)
    assert second.needs_refund and second.reason == "order_already_paid"
    assert second.purchase.status == PurchaseStatus.PAID
    assert (await user_account(ALICE, CARBON)).balance == 500
    assert (await user_account(PRODUCER, STARS)).balance == 500


async def test_a_withdrawn_offer_between_pre_checkout_and_payment_is_refunded(shop):
    order = await held_order(shop)
    await catalog.set_active(shop.listing.ref, False)
    result = await purchases.complete_payment(order.payload, "c", 500, STARS, user_id=ALICE, now=T0)
    assert result.needs_refund and result.reason == "offer_withdrawn"
    assert (await get_account(shop.producer_carbon_id)).held == 0


async def test_someone_else_paying_an_order_is_refunded_and_the_owner_keeps_the_order(shop):
    order = await held_order(shop)
    result = await purchases.complete_payment(order.payload, "c", 500, STARS, user_id=BOB, now=T0)
    assert result.needs_refund and result.reason == "not_your_order"
    assert result.purchase is None  # Bob's payment is not linked to Alice's order
    assert (await user_account(BOB, STARS)).balance == 0  # never into a wallet
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 500  # owed back to Bob
    # Alice's order and the credits held for it are untouched: her own payment goes through.
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.HELD
    assert (await get_account(shop.producer_carbon_id)).held == 500
    mine = await purchases.complete_payment(order.payload, "alice", 500, STARS, user_id=ALICE, now=T0)
    assert mine.outcome == PaymentOutcome.COMPLETED
    assert (await user_account(ALICE, CARBON)).balance == 500
    await purchases.record_refund("c", now=T0)
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 0


async def test_a_payment_for_an_unknown_order_is_booked_and_refunded(shop):
    result = await purchases.complete_payment("p:unknown", "c", 77, STARS, user_id=BOB, now=T0)
    assert result.needs_refund and result.reason == "order_unknown" and result.purchase is None
    await purchases.record_refund("c", now=T0)
    assert (await user_account(BOB, STARS)).balance == 0
