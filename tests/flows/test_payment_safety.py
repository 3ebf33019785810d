"""Payments through the chat: forwarded invoices, reconciliation with Telegram,
replies that come from the outbox."""

from __future__ import annotations

from core.checks import verify_all
from core.ledger import CARBON, STARS, Role, system_account, user_account
from core.outbox.models import OutboxMessage, OutboxState
from core.purchases import service as purchases
from core.purchases.models import Payment, PaymentOutcome, PurchaseStatus
from sandbox.botapi import events
from sandbox.botapi.state import Invoice
from tests.flows.test_buying import carbon_of, order_to_invoice
from tests.purchases.conftest import make_shop


async def test_an_invoice_carries_a_start_parameter_and_a_forwarded_copy_opens_the_bot(bot, db):
    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    bob = await bot.signed_up_user("Bob")
    await order_to_invoice(alice, shop)
    invoice_message = next(m for m in reversed(alice.messages) if m.invoice)
    parameter = invoice_message.invoice["start_parameter"]
    assert parameter.startswith("order_")
    [order] = await purchases.purchases_of(alice.user_id)
    assert parameter == f"order_{order.id}"
    # Bob opens the forwarded copy: it is not his to pay.
    reply = await bob.send(f"/start {parameter}")
    assert "belongs to someone else" in reply.text
    # Alice opening it is pointed at her own invoice; paid, she is told so.
    reply = await alice.send(f"/start {parameter}")
    assert f"This is your order {order.id}" in reply.text
    await alice.pay()
    reply = await alice.send(f"/start {parameter}")
    assert f"Your order {order.id} is paid" in reply.text
    assert bot.unexpected_errors == 0


async def test_a_receipt_goes_through_the_outbox_and_is_sent_once(bot, db):
    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    paid = await alice.pay()
    assert "Payment received" in paid.reply.text
    [receipt] = await OutboxMessage.filter(chat_id=alice.user_id, kind="payment_receipt")
    assert receipt.state == OutboxState.SENT
    assert sum("Payment received" in (m.text or "") for m in alice.messages) == 1


async def _paid_at_telegram_only(bot, person, shop, *, hold: bool = True):
    """Telegram took the Stars for the person's order, but the update never reached us."""
    await order_to_invoice(person, shop)
    [order] = await purchases.purchases_of(person.user_id)
    if hold:
        assert (await purchases.precheckout(order.payload, order.total_amount, STARS,
                                            user_id=person.user_id, hold_ttl_s=3600)).ok
    invoice = Invoice(chat_id=person.user_id, message_id=0, title="t", description="d", payload=order.payload,
                      provider_token="", currency=STARS, prices=[{"label": "t", "amount": order.total_amount}])
    return order, bot.server.record_payment(person.user, invoice)


async def test_reconciliation_books_a_charge_only_telegram_has_and_delivers_the_order(bot, db):
    from bot.handlers.payments import reconcile_stars

    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    order, charge = await _paid_at_telegram_only(bot, alice, shop)
    report = await reconcile_stars(bot.application.bot)
    assert report.booked == [charge.telegram_payment_charge_id] and report.is_clean
    assert (await purchases.get_purchase(order.id)).status == PurchaseStatus.PAID
    assert await carbon_of(alice) == 500
    from bot.outbox import drain

    await drain(bot.application)
    await alice.wait_for(lambda m: "Payment received" in (m.text or ""))
    again = await reconcile_stars(bot.application.bot)  # nothing new the second time
    assert again.booked == [] and again.checked == 1
    text = (await verify_all()).text()
    assert "last reconciled with Telegram" in text and "OK: no drift" in text


async def test_reconciliation_refunds_a_charge_whose_order_can_no_longer_be_delivered(bot, db):
    from bot.handlers.payments import reconcile_stars

    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    _, charge = await _paid_at_telegram_only(bot, alice, shop, hold=False)  # no credits held for it
    queue = bot.server.subscribe(alice.chat_id)
    report = await reconcile_stars(bot.application.bot)
    assert report.booked == [charge.telegram_payment_charge_id]
    assert charge.is_refunded  # Telegram gave the Stars back
    payment = await Payment.get(telegram_payment_charge_id=charge.telegram_payment_charge_id)
    assert payment.outcome == PaymentOutcome.REFUNDED
    assert (await system_account(Role.SUSPENSE, STARS)).balance == 0
    assert (await user_account(alice.user_id, STARS)).balance == 0
    refunds = [e for e in _drain_events(queue) if e.kind == events.REFUND]
    assert len(refunds) == 1
    bot.server.unsubscribe(queue)


def _drain_events(queue):
    found = []
    while not queue.empty():
        found.append(queue.get_nowait())
    return found


async def test_a_completed_charge_removed_from_the_database_by_hand_is_booked_again_without_moving_twice(bot, db):
    from bot.handlers.payments import reconcile_stars

    shop = await make_shop()
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    paid = await alice.pay()
    charge = paid.payment.telegram_payment_charge_id
    await Payment.filter(telegram_payment_charge_id=charge).delete()
    assert "not applied" not in (await verify_all()).text()
    report = await reconcile_stars(bot.application.bot, full=True)
    assert report.booked == [charge]
    payment = await Payment.get(telegram_payment_charge_id=charge)
    assert payment.outcome == PaymentOutcome.COMPLETED
    assert await carbon_of(alice) == 500
    assert (await user_account(shop.project.producer_id, STARS)).balance == 500
    assert not paid.payment.is_refunded
    assert (await user_account(alice.user_id, CARBON)).balance == 500


async def test_updates_left_pending_by_a_crash_are_handled_when_the_bot_starts_again(bot, db):
    """Rows a killed process stored but never handled: the next one handles them, once."""
    from core import inbox

    alice = await bot.signed_up_user("Alice")
    await bot.stop()
    message = bot.server.add_user_message(alice.user, text="/balance")
    await inbox.store([(5000, alice.chat_id, {"update_id": 5000, "message": message.to_api()})])
    queue = bot.server.subscribe(alice.chat_id)
    await bot.start()
    await bot.inbox.wait_idle()
    sent = [e for e in _drain_events(queue) if e.kind == events.MESSAGE_SENT]
    assert len(sent) == 1
    assert (await inbox.InboxUpdate.get(update_id=5000)).state == inbox.InboxState.DONE
    bot.server.unsubscribe(queue)
    assert bot.unexpected_errors == 0
