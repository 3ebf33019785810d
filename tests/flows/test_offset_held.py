"""Offset now while holding credits: retire those first (all that is needed, or all there
are), then buy the rest; or buy new credits for all of it (issue 20)."""

from __future__ import annotations

import re

import pytest

from core.certs.service import get_certificate
from core.ledger import CARBON, user_account
from core.purchases import service as purchases
from tests.helpers import issue_to
from tests.purchases.conftest import make_shop

REASON = "Flight LHR–CDG return, economy"


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def carbon_of(person) -> int:
    return (await user_account(person.user_id, CARBON)).balance


async def footprint_kg(person) -> int:
    reply = await person.send("LHR CDG return")
    return int(re.search(r"To offset: ([\d,]+) kg", reply.text).group(1).replace(",", ""))


async def certificate_of_last_photo(person):
    # the newest certificate: sent when drawn, through the outbox, so perhaps still to come
    last = person.last
    photo = last if last is not None and last.photo else await person.wait_for(lambda m: bool(m.photo), existing=False)
    return await get_certificate(re.search(r"/c/([A-Za-z0-9_-]+)", photo.caption).group(1))


async def test_offset_now_with_enough_held_credits_retires_them_without_a_payment(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 1250, "held:alice")
    kg = await footprint_kg(alice)
    reply = await alice.press("✅ Offset now")
    assert "you have 1.25 t (1,250 kg)" in reply.text and REASON in reply.text
    assert alice.keyboard_labels() == [f"🌱 Retire {kg} kg I hold", f"🛒 Buy {kg} kg new", "Cancel"]
    reply = await alice.press(f"🌱 Retire {kg} kg I hold")
    assert "Whose name should go on the certificate?" in reply.text
    assert "📥 Keep in my account" not in " ".join(alice.keyboard_labels())  # retiring is the point
    reply = await alice.press("🌱 In my name (Alice)")
    assert f"Retire {kg} kg CO2e for Alice?" in reply.text and f"Reason: {REASON}" in reply.text
    reply = await alice.press("✅ Retire")
    assert f"{kg} kg CO2e retired for Alice" in reply.texts[0] and alice.last_photo_bytes
    assert not any(m.invoice for m in alice.messages)  # nothing to pay
    cert = await certificate_of_last_photo(alice)
    assert (cert.amount_kg, cert.beneficiary, cert.reason) == (kg, "Alice", REASON)
    assert await carbon_of(alice) == 1250 - kg
    assert await purchases.purchases_of(alice.user_id) == []
    assert bot.unexpected_errors == 0


async def test_offset_now_with_too_few_held_credits_retires_them_then_buys_the_rest(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 100, "held:alice")
    kg = await footprint_kg(alice)
    reply = await alice.press("✅ Offset now")
    assert "retire the 100 kg you already hold" in reply.text
    assert f"buy the remaining {kg - 100} kg" in reply.text
    await alice.press("🌱 Retire 100 kg I hold")
    await alice.send("me")
    reply = await alice.send("retire")
    assert "Done: 100 kg CO2e retired for Alice" in reply.texts[0]
    assert f"To finish the offset, buy the remaining {kg - 100} kg" in alice.last_text
    assert (await certificate_of_last_photo_before(alice)).amount_kg == 100
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    reply = await alice.press("🌱 Retire now in my name (Alice)")
    assert f"{kg - 100} kg CO2e" in reply.text and f"Reason: {REASON}" in reply.text
    await alice.press(alice.keyboard_labels()[0])  # Pay ... ⭐
    assert (await alice.pay()).is_paid
    cert = await certificate_of_last_photo(alice)
    assert (cert.amount_kg, cert.reason) == (kg - 100, REASON)
    assert await carbon_of(alice) == 0  # all held and all bought is retired: the whole footprint
    assert bot.unexpected_errors == 0


async def certificate_of_last_photo_before(person):
    """The certificate of the newest photo (a text may have come after it)."""
    photo = next(m for m in reversed(person.messages) if m.photo)
    return await get_certificate(re.search(r"/c/([A-Za-z0-9_-]+)", photo.caption).group(1))


async def test_offset_now_while_holding_credits_can_still_buy_new_ones_for_all_of_it(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 1250, "held:alice")
    kg = await footprint_kg(alice)
    await alice.press("✅ Offset now")
    reply = await alice.press(f"🛒 Buy {kg} kg new")
    assert REASON in reply.text and "Hamburg landfill gas" in reply.text
    await alice.press(data=f"buy:item:{shop.listing.ref}")
    await alice.press("🌱 Retire now in my name (Alice)")
    await alice.send("pay")
    assert (await alice.pay()).is_paid
    assert (await certificate_of_last_photo(alice)).amount_kg == kg
    assert await carbon_of(alice) == 1250  # the credits held are untouched


async def test_the_held_offer_takes_only_its_buttons(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await issue_to(alice.user_id, 1250, "held:alice")
    await footprint_kg(alice)
    await alice.press("✅ Offset now")
    reply = await alice.send("whatever")
    assert "retire credits you hold, or buy new ones" in reply.text
    reply = await bot.press_data(alice, "buy:done")  # Retire before choosing whom
    assert reply.callback_answer["text"] == "This button is no longer valid."
    assert await carbon_of(alice) == 1250
    assert bot.unexpected_errors == 0
