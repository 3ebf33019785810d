"""No paid Star is lost: every successful_payment is booked, whatever it says.

A payment is booked into suspense first (its own transaction), then applied to
its order; anything that does not match the order stays in suspense and is
refunded. Totals the ledger cannot hold are kept as text and refunded.
"""

from __future__ import annotations

import asyncio

import pytest

from core.ledger import CARBON, STARS, Role, get_account, system_account, user_account
from core.outbox.models import OutboxMessage
from core.purchases import service as purchases
from core.purchases.models import (
    Payment,
    PaymentAnomaly,
    PaymentOutcome,
    PurchaseStatus,
    ReductionOrder,
)
from tests.purchases.conftest import ALICE, BOB, PRODUCER, T0

TTL = 900


async def held_order(shop, amount_kg=500, *, user=ALICE, key="k"):
    order = await purchases.start_purchase(user, shop.listing.ref, amount_kg, key=key, now=T0)
    assert (await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0, hold_ttl_s=TTL)).ok
    return order


async def test_a_forged_total_for_an_unknown_order_goes_to_suspense_not_a_wallet(shop):
    result = await purchases.complete_payment("p:nobody", "forged", 10**9, STARS, user_id=BOB, now=T0)
    assert result.needs_refund and result.reason == "order_unknown"
    assert (await user_account(BOB, STARS)).balance == 0
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 10**9
    assert [r.charge_id for r in await purchases.refunds_to_make()] == ["forged"]


async def test_many_huge_totals_never_overflow_a_balance(shop):
    """10**18 or 2**63 - 1 fits one bigint, but ten of them would not fit the suspense account."""
    for n in range(10):
        result = await purchases.complete_payment("p:nobody", f"big{n}", 2**63 - 1 - n, STARS, user_id=BOB, now=T0)
        assert result.is_anomaly and result.reason == "total_out_of_range"
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 0


@pytest.mark.parametrize("total", [0, -500, 10**9 + 1, 10**18, 2**63, 10**30, "500", None, True, 1.5])
async def test_a_total_the_ledger_cannot_hold_is_recorded_as_text_and_refunded(shop, total):
    order = await held_order(shop)
    result = await purchases.complete_payment(order.payload, "odd", total, STARS, user_id=ALICE, now=T0)
    assert result.is_anomaly and result.needs_refund and result.reason == "total_out_of_range"
    anomaly = await PaymentAnomaly.get(charge_id="odd")
    assert anomaly.total_text == (str(total) if isinstance(total, int) else repr(total)) and anomaly.user_id == ALICE
    assert await Payment.all().count() == 0  # outside the ledger
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.HELD  # the order is untouched
    assert [(r.charge_id, r.is_anomaly) for r in await purchases.refunds_to_make()] == [("odd", True)]
    await purchases.record_anomaly_refund("odd", now=T0)
    assert await purchases.refunds_to_make() == []
    again = await purchases.complete_payment(order.payload, "odd", total, STARS, user_id=ALICE, now=T0)
    assert again.is_replay and again.outcome == PaymentOutcome.REFUNDED


@pytest.mark.parametrize(("charge", "currency", "reason"), [
    ("", STARS, "bad_charge_id"), ("x" * 300, STARS, "bad_charge_id"),
    ("c1", "XTRX", "bad_currency"), ("c2", "xtr", "bad_currency"), ("c3", "", "bad_currency"),
])
async def test_fields_telegram_never_sends_are_recorded_and_refunded(shop, charge, currency, reason):
    result = await purchases.complete_payment("p:x", charge, 500, currency, user_id=BOB, now=T0)
    assert result.is_anomaly and result.reason == reason
    assert await PaymentAnomaly.filter(reason=reason).count() == 1


async def test_two_payments_for_one_order_at_once_one_completes_one_is_refunded(shop):
    """20 pairs, each pair applied concurrently (on PostgreSQL on two connections)."""
    for n in range(20):
        order = await held_order(shop, 100, key=f"pair{n}")
        first, second = await asyncio.gather(
            purchases.complete_payment(order.payload, f"a{n}", 100, STARS, user_id=ALICE, now=T0),
            purchases.complete_payment(order.payload, f"b{n}", 100, STARS, user_id=ALICE, now=T0),
        )
        outcomes = sorted([first.outcome, second.outcome])
        assert outcomes == [PaymentOutcome.COMPLETED, PaymentOutcome.REFUND_NEEDED], n
        loser = first if first.needs_refund else second
        assert loser.reason == "order_already_paid"
        assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.PAID
    assert (await user_account(ALICE, CARBON)).balance == 20 * 100
    assert await ReductionOrder.all().count() == 20
    assert await Payment.filter(outcome=PaymentOutcome.REFUND_NEEDED).count() == 20
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 20 * 100
    assert (await user_account(PRODUCER, STARS)).balance == 20 * 100


async def test_the_same_charge_twice_at_once_is_booked_once(shop):
    order = await held_order(shop)
    results = await asyncio.gather(*[
        purchases.complete_payment(order.payload, "same", 500, STARS, user_id=ALICE, now=T0) for _ in range(4)
    ])
    assert sum(not r.is_replay for r in results) == 1
    assert all(r.outcome == PaymentOutcome.COMPLETED for r in results)
    assert (await user_account(ALICE, CARBON)).balance == 500
    assert await Payment.all().count() == 1


async def test_a_payment_booked_but_not_applied_is_applied_by_its_replay(shop):
    """A crash between the two transactions: the payment row says received, the order held."""
    order = await held_order(shop)
    payment, is_new = await purchases._book(order.payload, "half", 500, STARS, ALICE, "", T0)  # noqa: SLF001
    assert is_new and payment.outcome == PaymentOutcome.RECEIVED
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 500
    replay = await purchases.complete_payment(order.payload, "half", 500, STARS, user_id=ALICE, now=T0)
    assert replay.is_replay and replay.outcome == PaymentOutcome.COMPLETED
    assert (await user_account(ALICE, CARBON)).balance == 500
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 0


async def test_a_delivered_payment_writes_its_receipt_and_a_retirement_its_certificate_message(shop):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, retire_for="Alice", key="r", now=T0)
    assert (await purchases.precheckout(order.payload, 500, STARS, now=T0, hold_ttl_s=TTL)).ok
    result = await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    assert result.retirement is not None
    kinds = {m.kind: m for m in await OutboxMessage.filter(chat_id=ALICE)}
    assert set(kinds) == {"payment_receipt", "certificate"}
    assert kinds["certificate"].params["retirement"] == result.retirement.id
    assert kinds["payment_receipt"].params["order"] == order.id
    await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    assert await OutboxMessage.filter(chat_id=ALICE).count() == 2  # a replay writes no twin


async def test_a_retirement_that_fails_undoes_its_delivery_and_the_replay_delivers_and_retires(shop, monkeypatch):
    """Delivery and retirement are one transaction: never credits delivered but not retired."""
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, retire_for="Alice", key="r", now=T0)
    assert (await purchases.precheckout(order.payload, 500, STARS, now=T0, hold_ttl_s=TTL)).ok
    real_retire = purchases.registry.retire

    async def crash(*args, **kwargs):
        raise RuntimeError("the process died while retiring")

    monkeypatch.setattr(purchases.registry, "retire", crash)
    with pytest.raises(RuntimeError):
        await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    payment = await Payment.get(telegram_payment_charge_id="ch")
    assert payment.outcome == PaymentOutcome.RECEIVED  # booked, in suspense, not applied
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 500
    assert (await user_account(ALICE, CARBON)).balance == 0
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.HELD
    assert await OutboxMessage.filter(chat_id=ALICE).count() == 0  # no receipt for a delivery undone

    monkeypatch.setattr(purchases.registry, "retire", real_retire)
    replay = await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    assert replay.outcome == PaymentOutcome.COMPLETED and replay.retirement is not None
    assert replay.purchase.retirement_id == replay.retirement.id
    assert (await user_account(ALICE, CARBON)).balance == 0  # bought and retired
    assert (await system_account(Role.RETIREMENT, CARBON)).balance == 500
    assert {m.kind for m in await OutboxMessage.filter(chat_id=ALICE)} == {"payment_receipt", "certificate"}


async def test_an_order_delivered_but_not_retired_by_an_older_version_is_retired_by_its_replay(shop, monkeypatch):
    order = await purchases.start_purchase(ALICE, shop.listing.ref, 500, retire_for="Alice", key="r", now=T0)
    assert (await purchases.precheckout(order.payload, 500, STARS, now=T0, hold_ttl_s=TTL)).ok

    async def not_yet(*args, **kwargs):  # how orders paid before delivery and retirement were one look
        return None

    with monkeypatch.context() as patch:
        patch.setattr(purchases, "_retire", not_yet)
        first = await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    assert first.retirement is None and (await user_account(ALICE, CARBON)).balance == 500
    replay = await purchases.complete_payment(order.payload, "ch", 500, STARS, user_id=ALICE, now=T0)
    assert replay.is_replay and replay.retirement is not None
    assert replay.retirement.beneficiary == "Alice" and replay.retirement.amount_kg == 500
    assert (await user_account(ALICE, CARBON)).balance == 0
    assert (await purchases.get_purchase(order.id)).retirement_id == replay.retirement.id


async def test_a_refund_telegram_refuses_tells_the_payer_once_and_stops_after_three_tries(shop):
    await purchases.complete_payment("p:nobody", "nope", 70, STARS, user_id=BOB, now=T0)
    for _ in range(3):
        await purchases.record_refund_failure("nope", "CHARGE_NOT_FOUND", now=T0)
    assert await purchases.refunds_to_make() == []
    assert await OutboxMessage.filter(chat_id=BOB, kind="refund_pending").count() == 1
    assert (await get_account((await system_account(Role.SUSPENSE, STARS)).id)).balance == 70
