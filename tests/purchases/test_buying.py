"""Buying credits: order, pre-checkout hold, payment once, retirement, reduction order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from tortoise.exceptions import IntegrityError

from core import registry
from core.catalog import service as catalog
from core.catalog.errors import OfferWithdrawn, SoldOut
from core.errors import DomainError, InputError
from core.ledger import CARBON, STARS, Role, get_account, system_account, user_account
from core.purchases import service as purchases
from core.purchases.models import Payment, PaymentOutcome, Purchase, PurchaseStatus
from core.registry.models import BlockStatus, SerialBlock
from tests.purchases.conftest import ALICE, BOB, PRODUCER, T0, make_shop


async def balance(owner_id: int, asset: str) -> int:
    return (await user_account(owner_id, asset)).balance


async def buy(shop, amount_kg, *, user=ALICE, key="k1", retire_for=None, reason="", charge="ch1",
              now=T0, currency=STARS):
    order = await purchases.start_purchase(
        user, shop.listing.ref, amount_kg, currency=currency, retire_for=retire_for,
        reason=reason, key=key, now=now,
    )
    answer = await purchases.precheckout(order.payload, order.total_amount, currency, now=now)
    assert answer.ok, answer
    return await purchases.complete_payment(
        order.payload, charge, order.total_amount, currency, user_id=user, now=now
    )


async def test_a_listing_card_shows_project_type_country_vintage_available_and_price(shop):
    [card] = await catalog.list_listings()
    assert (card.project_code, card.project_name, card.country, card.vintage) == (
        "LAND", "Hamburg landfill gas", "DE", 2023)
    assert card.project_type == "landfill_methane"
    assert card.methodology == "ACM0001"
    assert card.available_kg == 10_000
    assert (card.price_xtr_per_t, card.price_cents_per_t, card.currency) == (1000, 1500, "EUR")


async def test_buying_half_a_tonne_with_stars_moves_credits_to_the_buyer_and_stars_to_the_seller(shop):
    result = await buy(shop, 500)
    assert result.outcome == PaymentOutcome.COMPLETED
    assert result.purchase.status == PurchaseStatus.PAID
    assert result.total_amount == 500
    assert await balance(ALICE, CARBON) == 500
    assert await balance(PRODUCER, CARBON) == 9_500
    assert await balance(PRODUCER, STARS) == 500
    assert await balance(ALICE, STARS) == 0
    assert (await system_account(Role.CLEARING, STARS)).balance == -500


async def test_the_same_successful_payment_delivered_twice_moves_credits_once(shop):
    first = await buy(shop, 500)
    again = await purchases.complete_payment(
        first.purchase.payload, "ch1", 500, STARS, user_id=ALICE, now=T0)
    assert again.is_replay and again.outcome == PaymentOutcome.COMPLETED
    assert await balance(ALICE, CARBON) == 500
    assert await balance(PRODUCER, STARS) == 500
    assert await Payment.all().count() == 1


async def test_the_database_refuses_a_second_payment_row_with_the_same_charge_id(shop):
    await buy(shop, 500)
    with pytest.raises(IntegrityError):
        await Payment.create(telegram_payment_charge_id="ch1", user_id=ALICE, currency=STARS,
                             total_amount=1, outcome=PaymentOutcome.COMPLETED, created_at=T0)


async def test_starting_an_order_twice_with_one_key_makes_one_order(shop):
    a = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="same", now=T0)
    b = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="same", now=T0)
    assert a.id == b.id and await Purchase.all().count() == 1
    assert len(a.payload.encode()) <= 128


async def test_a_pre_checkout_holds_the_credits_so_the_card_offers_less(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 2_000, key="k", now=T0)
    assert (await purchases.precheckout(order.payload, 2_000, STARS, now=T0)).ok
    card = await catalog.get_item(shop.listing.ref)
    assert card.available_kg == 8_000
    assert (await get_account(shop.producer_carbon_id)).held == 2_000
    assert await balance(ALICE, CARBON) == 0  # nothing is credited before the payment


async def test_a_pre_checkout_repeated_holds_only_once(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 2_000, key="k", now=T0)
    for _ in range(3):
        assert (await purchases.precheckout(order.payload, 2_000, STARS, now=T0)).ok
    assert (await get_account(shop.producer_carbon_id)).held == 2_000


async def test_a_pre_checkout_for_sold_out_credits_is_refused_with_a_reason(shop):
    bob_order = await purchases.start_purchase(BOB, shop.listing.ref, 9_000, key="b", now=T0)
    alice_order = await purchases.start_purchase(ALICE, shop.listing.ref, 2_000, key="a", now=T0)
    assert (await purchases.precheckout(bob_order.payload, 9_000, STARS, now=T0)).ok
    answer = await purchases.precheckout(alice_order.payload, 2_000, STARS, now=T0)
    assert not answer.ok and answer.code == "sold_out"
    assert answer.params["available_kg"] == 1_000
    assert (await get_account(shop.producer_carbon_id)).held == 9_000


async def test_an_order_for_more_than_is_available_is_refused_before_the_invoice(shop):
    with pytest.raises(SoldOut) as caught:
        await purchases.start_purchase(ALICE, shop.listing.ref, 10_001, key="k", now=T0)
    assert caught.value.params["available_kg"] == 10_000
    assert await Purchase.all().count() == 0


async def test_a_pre_checkout_with_another_total_is_refused(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k", now=T0)
    answer = await purchases.precheckout(order.payload, 1, STARS, now=T0)
    assert (answer.ok, answer.code) == (False, "amount_mismatch")


async def test_a_pre_checkout_for_an_unknown_payload_is_refused(shop):
    for payload in ("p:nope", "garbage", ""):
        answer = await purchases.precheckout(payload, 1, STARS, now=T0)
        assert (answer.ok, answer.code) == (False, "order_unknown")


async def test_a_pre_checkout_after_the_listing_was_withdrawn_is_refused(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k", now=T0)
    await catalog.set_active(shop.listing.ref, False)
    answer = await purchases.precheckout(order.payload, 500, STARS, now=T0)
    assert (answer.ok, answer.code) == (False, "offer_withdrawn")
    with pytest.raises(OfferWithdrawn):
        await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k2", now=T0)


async def test_a_pre_checkout_of_a_paid_order_is_refused(shop):
    result = await buy(shop, 500)
    answer = await purchases.precheckout(result.purchase.payload, 500, STARS, now=T0)
    assert (answer.ok, answer.code) == (False, "order_already_paid")


async def test_retiring_at_once_retires_the_bought_serials_for_the_beneficiary(shop):
    result = await buy(shop, 500, retire_for="Ана Иванова", reason="offset of flight LHR–CDG")
    retirement = result.retirement
    assert retirement is not None
    assert (retirement.beneficiary, retirement.amount_kg) == ("Ана Иванова", 500)
    assert retirement.reason == "offset of flight LHR–CDG"
    assert sum(r.amount_kg for r in retirement.ranges) == 500
    assert all(r.batch_id == shop.batch.id for r in retirement.ranges)
    assert await balance(ALICE, CARBON) == 0
    assert (await system_account(Role.RETIREMENT, CARBON)).balance == 500
    assert result.purchase.retirement_id == retirement.id


async def test_keeping_the_credits_leaves_them_in_the_buyers_account(shop):
    result = await buy(shop, 500, retire_for=None)
    assert result.retirement is None
    assert await balance(ALICE, CARBON) == 500


async def test_a_redelivered_payment_does_not_retire_twice(shop):
    first = await buy(shop, 500, retire_for="Alice")
    again = await purchases.complete_payment(first.purchase.payload, "ch1", 500, STARS,
                                             user_id=ALICE, now=T0)
    assert again.retirement.id == first.retirement.id
    assert (await system_account(Role.RETIREMENT, CARBON)).balance == 500


async def test_every_purchase_records_a_reduction_order(shop):
    result = await buy(shop, 500)
    [order] = await purchases.reduction_orders()
    assert (order.purchase_id, order.amount_kg, order.status) == (result.purchase.id, 500, "recorded")
    assert order.project_code == "LAND"


async def test_a_fee_goes_to_the_fee_account_and_the_rest_to_the_seller(db):
    shop = await make_shop(fee_bps=250)  # 2.5 %
    result = await buy(shop, 1_000)
    assert result.purchase.fee_amount == 25
    assert await balance(PRODUCER, STARS) == 975
    assert (await system_account(Role.FEES, STARS)).balance == 25


async def test_paying_by_card_charges_the_price_per_tonne_in_cents(shop):
    result = await buy(shop, 250, currency="EUR")
    assert (result.total_amount, result.currency) == (375, "EUR")  # 0.25 t x EUR 15.00
    assert await balance(PRODUCER, "EUR") == 375


async def test_a_currency_the_listing_does_not_take_is_refused(shop):
    with pytest.raises(catalog.CurrencyNotOffered):
        await purchases.start_purchase(ALICE, shop.listing.ref, 500, currency="USD", key="k", now=T0)


@pytest.mark.parametrize("amount_kg", [0, -1])
async def test_a_bad_amount_changes_nothing(shop, amount_kg):
    with pytest.raises(InputError):
        await purchases.start_purchase(ALICE, shop.listing.ref, amount_kg, key="k", now=T0)
    assert await Purchase.all().count() == 0


async def test_one_kilogram_costs_one_star(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 1, key="k", now=T0)
    assert order.total_amount == 1


async def test_buying_from_cccp_inventory_pays_the_inventory_account(db):
    shop = await make_shop()
    inventory = await system_account(Role.INVENTORY, CARBON)
    from core.ledger import Leg, post
    await post("stock", "transfer", [Leg(shop.producer_carbon_id, inventory.id, 3_000,
                                         batch_id=shop.batch.id)])
    listing = await catalog.create_listing(
        project_code="LAND", batch_id=shop.batch.id, price_xtr_per_t=800,
        seller_account_id=inventory.id, now=T0)
    assert listing.available_kg == 3_000
    order = await purchases.start_purchase(ALICE, listing.ref, 1_000, key="k", now=T0)
    assert (await purchases.precheckout(order.payload, 800, STARS, now=T0)).ok
    await purchases.complete_payment(order.payload, "c", 800, STARS, user_id=ALICE, now=T0)
    assert (await system_account(Role.INVENTORY, STARS)).balance == 800
    assert (await system_account(Role.INVENTORY, CARBON)).balance == 2_000


async def test_retiring_credits_already_held_gives_exact_serials(shop):
    await buy(shop, 1_000)
    retirement = await purchases.retire_own_credits(ALICE, 300, "Alice", "gift", key="r1")
    assert retirement.amount_kg == 300
    assert await balance(ALICE, CARBON) == 700
    with pytest.raises(DomainError):  # not enough credits
        await purchases.retire_own_credits(ALICE, 5_000, "Alice", "", key="r2")
    assert await balance(ALICE, CARBON) == 700


async def test_an_order_older_than_a_day_is_refused_at_pre_checkout(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, key="k", now=T0)
    later = T0 + timedelta(seconds=purchases.ORDER_TTL_S)
    answer = await purchases.precheckout(order.payload, 500, STARS, now=later)
    assert (answer.ok, answer.code) == (False, "order_expired")


@pytest.mark.parametrize("name", ["🌍🌱", "...", "x" * 201, "   "])
async def test_a_beneficiary_without_letters_or_too_long_is_refused(shop, name):
    with pytest.raises(DomainError) as refused:
        await purchases.start_purchase(ALICE, shop.listing.ref, 500, retire_for=name, key="k", now=T0)
    assert refused.value.code == "invalid_beneficiary"
    assert await Purchase.all().count() == 0


def test_a_beneficiary_name_keeps_its_letters_and_loses_extra_spaces():
    assert purchases.check_beneficiary("  Zoë \n Ørsted 🌍 ") == "Zoë Ørsted 🌍"


async def _shop_whose_seller_holds_another_project_too(amount_kg: int):
    shop = await make_shop(amount_kg=amount_kg)
    other = await registry.create_project(
        name="Cerrado reforestation", methodology="ACM0001", country="BR",
        producer_id=PRODUCER, code="OTHER", approve=True, now=T0,
    )
    other_batch = await registry.issue_batch(other.id, 2023, 5_000, key="test:OTHER", now=T0)
    return shop, other_batch


async def _batches_held_by(hold_id: int) -> set[int]:
    return set(await SerialBlock.filter(hold_id=hold_id).values_list("batch_id", flat=True))


async def test_two_buyers_racing_for_a_listings_last_credits_never_get_another_projects_serials(db):
    shop, other_batch = await _shop_whose_seller_holds_another_project_too(1_000)
    orders = [
        await purchases.start_purchase(user, shop.listing.ref, 1_000, key=f"k{user}", now=T0)
        for user in (ALICE, BOB)
    ]
    answers = await asyncio.gather(*(purchases.precheckout(o.payload, 1_000, STARS, now=T0) for o in orders))
    assert sorted(a.ok for a in answers) == [False, True]
    [loser] = [a for a in answers if not a.ok]
    assert loser.code == "sold_out"
    [winner] = await Purchase.filter(status=PurchaseStatus.HELD)
    assert await _batches_held_by(winner.hold_id) == {shop.batch.id}
    assert (await get_account(shop.producer_carbon_id)).held == 1_000
    assert await SerialBlock.filter(batch_id=other_batch.id, status=BlockStatus.HELD).count() == 0

