"""Buying, paying and retiring through the chat, against the local Bot API stand-in."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from core import registry
from core.catalog import service as catalog
from core.ledger import CARBON, STARS, user_account
from core.purchases import service as purchases
from core.purchases.models import Purchase
from sandbox.botapi import events
from tests.purchases.conftest import PRODUCER, make_shop
from web.app import build_web_app


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def carbon_of(person) -> int:
    return (await user_account(person.user_id, CARBON)).balance


async def order_to_invoice(person, shop, amount_label="0.5 t"):
    await person.send("/buy")
    await person.press(data=f"buy:item:{shop.listing.ref}")
    await person.press(amount_label)
    await person.press("📥 Keep in my account")
    return await person.press(data="buy:pay:xtr")


async def test_buying_half_a_tonne_retired_for_someone_brings_a_certificate_the_web_confirms(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("/buy")
    assert "Hamburg landfill gas" in reply.text and "vintage 2023" in reply.text
    assert "10 t available" in reply.text and "1,000 ⭐ per tonne" in reply.text
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    assert alice.keyboard_labels()[:4] == ["0.1 t", "0.5 t", "1 t", "5 t"]
    await alice.press("0.5 t")
    await alice.press("✍️ For someone else")
    await alice.send("Zoë Ørsted")
    reply = await alice.send("offset of flight LHR–CDG")
    assert "Total: 500 ⭐" in reply.text and "Retired at once for Zoë Ørsted." in reply.text
    reply = await alice.press("Pay 500 ⭐")
    invoice = reply.messages[-1].invoice
    assert (invoice["currency"], invoice["total_amount"]) == ("XTR", 500)

    paid = await alice.pay()
    await alice.wait_for(lambda m: bool(m.photo))  # the certificate, sent when drawn
    assert paid.is_paid
    assert any("Payment received: 500 ⭐" in text for text in paid.reply.texts)
    assert "500 kg CO2e" in alice.last_text and "Zoë Ørsted" in alice.last_text
    png = alice.last_photo_bytes
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    path = urlsplit(code.text).path
    assert path in alice.last_text

    [order] = await purchases.purchases_of(alice.user_id)
    retirement = await registry.get_retirement(order.retirement_id)
    async with TestClient(TestServer(build_web_app(bot.settings, bot.application))) as client:
        document = await (await client.get(path + ".json")).json()
        page = await (await client.get(path)).text()
    payload = document["payload"]
    assert payload["id"] == path.rsplit("/", 1)[1]
    assert (payload["amount_kg"], payload["beneficiary"]) == (500, "Zoë Ørsted")
    assert payload["serials"] == retirement.serials
    assert "Signature valid ✓" in page and retirement.serials[0] in page
    assert "This purchase started a carbon reduction order: recorded (500 kg" in page
    assert await carbon_of(alice) == 0
    assert bot.unexpected_errors == 0


async def test_the_same_successful_payment_delivered_twice_moves_credits_once(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    paid = await alice.pay()
    assert await carbon_of(alice) == 500
    again = await bot.deliver_payment(alice, paid.payment)  # Telegram redelivers the same payment
    assert "already recorded" in again.text
    assert await carbon_of(alice) == 500
    assert (await user_account(shop.project.producer_id, STARS)).balance == 500


async def test_a_pre_checkout_for_sold_out_credits_is_refused_with_a_reason(bot, db):
    shop = await make_shop(amount_kg=1_000)
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    bob_order = await purchases.start_purchase(77, shop.listing.ref, 1_000, key="bob")
    assert (await purchases.precheckout(bob_order.payload, 1_000, STARS)).ok
    paid = await alice.pay()
    assert not paid.is_paid
    assert "sold out" in paid.error_message
    assert await carbon_of(alice) == 0


async def test_paying_after_the_hold_expired_is_refunded_with_a_message(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    payment, reply = await bot.pay_after_the_hold_expired(alice)
    assert any(e.kind == events.REFUND for e in reply.events)
    assert bot.server.payments[payment.telegram_payment_charge_id].is_refunded
    assert "reservation of your credits ran out" in reply.text and "have been refunded" in reply.text
    assert await carbon_of(alice) == 0
    assert (await user_account(alice.user_id, STARS)).balance == 0


@pytest.mark.parametrize(("typed", "kg"), [("0,5 t", 500), ("250 kg", 250)])
async def test_buying_by_typing_alone(bot, shop, typed, kg):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    await alice.send(typed)
    await alice.send("keep")
    reply = await alice.send("pay")
    assert reply.messages[-1].invoice["total_amount"] == kg
    await alice.pay()
    assert await carbon_of(alice) == kg


async def test_a_bad_amount_gets_a_translated_answer_and_changes_nothing(bot, shop):
    hans = await bot.signed_up_user("Hans", language="de")
    await hans.send("/buy")
    await hans.send("1")
    reply = await hans.send("ganz viel")
    assert "Menge" in reply.text or "Betrag" in reply.text
    reply = await hans.send("0 kg")
    assert "größer als null" in reply.text
    assert await Purchase.all().count() == 0
    assert bot.unexpected_errors == 0


async def test_retiring_credits_already_held_sends_a_certificate(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop, "1 t")
    await alice.pay()
    await alice.send("/retire")
    await alice.send("300 kg")
    await alice.press("🌱 In my name (Alice)")
    await alice.press("Skip")
    reply = await alice.press("✅ Retire")
    assert "300 kg" in reply.texts[0] and alice.last_photo_bytes
    assert await carbon_of(alice) == 700


async def test_a_listing_gone_before_the_button_is_pressed_gets_a_clear_answer(bot, shop):
    from core.catalog import service as catalog

    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await catalog.set_active(shop.listing.ref, False)
    reply = await alice.press(data=f"buy:item:{shop.listing.ref}")
    assert "no longer available" in reply.text


async def test_a_pay_button_of_a_finished_purchase_says_so(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    old = alice.last
    await alice.send("/cancel")
    reply = await alice.press(data="buy:amt:500", message=old)
    assert "finished or has expired" in reply.callback_answer["text"]


async def test_the_offset_entry_opens_the_flow_with_amount_and_reason(bot, shop):
    from bot.conversations.buy import start_offset  # noqa: F401  (the seam the footprint uses)

    alice = await bot.signed_up_user("Alice")
    await alice.send("/start buy_2500")
    reply = await alice.press(data=f"buy:item:{shop.listing.ref}")
    assert "Retire the credits now" in reply.text
    await alice.press("📥 Keep in my account")
    assert "2.5 t (2,500 kg)" in alice.last_text


async def test_a_french_buyer_is_answered_in_french_all_the_way_to_the_certificate(bot, shop):
    marie = await bot.signed_up_user("Marie", language="fr")
    reply = await marie.send("/buy")
    assert "Que voulez-vous acheter" in reply.text and "millésime 2023" in reply.text
    await marie.send("1")
    reply = await marie.send("0,5 t")
    assert "Retirer les crédits maintenant" in reply.text
    await marie.send("Marie Curie")
    await marie.send("passer")
    reply = await marie.send("payer")
    assert reply.messages[-1].invoice["total_amount"] == 500
    paid = await marie.pay()
    assert any("Paiement reçu" in text for text in paid.reply.texts)
    certificate = await marie.wait_for(lambda m: bool(m.photo))  # sent when drawn, through the outbox
    assert "retirés pour Marie Curie" in certificate.caption and marie.last_photo_bytes


async def test_history_names_a_stars_payment_by_its_direction(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await order_to_invoice(alice, shop)
    await alice.pay()
    lines = (await alice.send("/history")).text.splitlines()
    assert any(line.endswith("· from your Telegram payment · +500 ⭐") for line in lines)
    assert any(line.endswith("· paid for your order · −500 ⭐") for line in lines)
    assert not any("· payment ·" in line for line in lines)


async def test_a_french_buyers_certificate_is_stored_and_drawn_in_french(bot, shop):
    from core.certs.models import Certificate
    from core.certs.render import certificate_lines
    from core.certs.service import get_certificate

    marie = await bot.signed_up_user("Marie", language="fr")
    await marie.send("/buy")
    await marie.send("1")
    await marie.send("0,5 t")
    await marie.send("Marie Curie")
    await marie.send("passer")
    await marie.send("payer")
    await marie.pay()
    await marie.wait_for(lambda m: bool(m.photo))  # the certificate, sent when drawn
    png = marie.last_photo_bytes
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    cert_id = urlsplit(code.text).path.rsplit("/", 1)[1]
    assert (await Certificate.get(public_id=cert_id)).language == "fr"
    assert "Certificat de compensation carbone" in certificate_lines(await get_certificate(cert_id))


async def test_buying_three_units_of_a_product_retires_three_times_its_kg(bot, shop):
    tree_kit = await catalog.create_product(
        name="Tree kit", kg_per_unit=250, price_xtr=150, listing_id=shop.listing.id)
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.press(data=f"buy:item:{tree_kit.ref}")
    assert alice.keyboard_labels()[:4] == ["1", "2", "5", "10"]  # units, not tonnes
    reply = await alice.send("3")
    assert "Whose name should go on the certificate?" in reply.text  # a product is always retired
    await alice.send("Zoë Ørsted")
    reply = await alice.send("skip")
    assert "3 × Tree kit (750 kg CO2e from Hamburg landfill gas)" in reply.text
    assert "Total: 450 ⭐" in reply.text

    await alice.press("Pay 450 ⭐")
    paid = await alice.pay()
    await alice.wait_for(lambda m: bool(m.photo))  # the certificate, sent when drawn
    assert paid.is_paid
    assert "750 kg CO2e retired for Zoë Ørsted" in alice.last_text  # the certificate's caption
    assert alice.last_photo_bytes

    [order] = await purchases.purchases_of(alice.user_id)
    retirement = await registry.get_retirement(order.retirement_id)
    assert (retirement.amount_kg, retirement.beneficiary) == (750, "Zoë Ørsted")
    assert await carbon_of(alice) == 0  # nothing left in the account: all 750 kg retired
    assert (await user_account(PRODUCER, CARBON)).balance == 10_000 - 750  # the producer's credits
    assert bot.unexpected_errors == 0  # the `db` fixture then checks `verify` is clean
