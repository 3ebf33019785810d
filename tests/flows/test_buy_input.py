"""Odd input at every step of the buying flow: a clear, translated answer, and nothing changes.

"Nothing changes" means: no order, no invoice, no credits or Stars moved, and
the flow is still at the same step (the next good input carries on).
"""

from __future__ import annotations

import pytest

from core.ledger import CARBON, STARS, user_account
from core.purchases.models import Purchase
from tests.purchases.conftest import make_shop

LONG_TEXT = "Lorem ipsum dolor sit amet. " * 179  # 5,012 characters
LONG_NAME = "Maximiliane " * 25  # 300 characters


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def assert_nothing_changed(bot, person, shop) -> None:
    assert await Purchase.all().count() == 0
    assert not any(m.invoice for m in person.messages)
    assert (await user_account(person.user_id, CARBON)).balance == 0
    assert (await user_account(shop.project.producer_id, STARS)).balance == 0
    assert bot.unexpected_errors == 0


async def to_amount(person):
    await person.send("/buy")
    return await person.send("1")


async def to_retire(person):
    await to_amount(person)
    return await person.send("0.5 t")


async def to_reason(person):
    await to_retire(person)
    return await person.send("Zoë Ørsted")


async def to_confirm(person):
    await to_reason(person)
    return await person.send("offset of flight LHR–CDG")


async def test_odd_choices_of_an_offer_are_answered_with_a_hint(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    for text in ["abc", "-1", "0", "99", "🌍🔥", LONG_TEXT, "1" * 30]:
        reply = await alice.send(text)
        assert reply.text == "Please choose an offer with the buttons or type its number.", text
    assert "How much CO2e" in (await alice.send("1")).text
    await assert_nothing_changed(bot, alice, shop)


@pytest.mark.parametrize("language", ["en", "de", "fr"])
async def test_odd_amounts_each_get_their_own_translated_answer(bot, shop, language):
    expected = {
        "en": ["more than zero", "could not read", "100,000 t", "could not read",
               "could not read", "Only 10 t are available", "smallest amount is 1 kg"],
        "de": ["größer als null", "nicht als Menge", "100.000 t", "nicht als Menge",
               "nicht als Menge", "Nur 10 t", "kleinste Menge ist 1 kg"],
        "fr": ["supérieure à zéro", "pas compris", "100 000 t", "pas compris",
               "pas compris", "Seulement 10 t", "plus petite quantité est 1 kg"],
    }[language]
    person = await bot.signed_up_user("Ada", language=language)
    await to_amount(person)
    odd = ["-5 t", "abc", f"{10**12} t", "🌍", LONG_TEXT, "11 t", "0,0001 t"]
    for text, fragment in zip(odd, expected, strict=True):
        reply = await person.send(text)
        answer = reply.text.replace("\xa0", " ").replace("\u202f", " ")
        assert fragment in answer, (text[:20], reply.text)
    await assert_nothing_changed(bot, person, shop)
    await person.send("0,5 t")  # the flow carries on: retire or keep
    assert len(person.keyboard_labels()) == 4


async def test_a_300_character_or_letterless_beneficiary_is_refused_and_the_question_stays(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await to_retire(alice)
    for text in [LONG_NAME, "🌍🌱", "..."]:
        reply = await alice.send(text)
        assert reply.text == "Please type a name with letters, at most 200 characters.", text[:20]
    await alice.press("✍️ For someone else")
    reply = await alice.send(LONG_NAME)
    assert "at most 200 characters" in reply.text
    reply = await alice.send("Zoë Ørsted")
    assert "What is it for?" in reply.text
    await assert_nothing_changed(bot, alice, shop)


async def test_a_german_buyer_is_told_in_german_that_the_name_is_too_long(bot, shop):
    hans = await bot.signed_up_user("Hans", language="de")
    await to_amount(hans)
    await hans.send("0,5 t")
    reply = await hans.send(LONG_NAME)
    assert "200 Zeichen" in reply.text
    await assert_nothing_changed(bot, hans, shop)


async def test_a_5000_character_reason_is_refused_and_a_short_one_is_taken(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await to_reason(alice)
    reply = await alice.send(LONG_TEXT)
    assert reply.text == "Please keep the reason to 300 characters."
    reply = await alice.send("🌍 offset")
    assert "Reason: 🌍 offset" in reply.text and "Total: 500 ⭐" in reply.text
    await assert_nothing_changed(bot, alice, shop)


async def test_odd_text_at_the_summary_asks_to_press_pay_and_sends_no_invoice(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await to_confirm(alice)
    for text in ["abc", "-1", "🌍", LONG_TEXT]:
        reply = await alice.send(text)
        assert reply.text == "Press Pay or type “pay” to get the invoice, or /cancel."
    await assert_nothing_changed(bot, alice, shop)


@pytest.mark.parametrize("step", [None, to_amount, to_retire, to_reason, to_confirm])
async def test_cancel_at_any_step_cancels_and_changes_nothing(bot, shop, step):
    alice = await bot.signed_up_user("Alice")
    if step is None:
        await alice.send("/buy")
    else:
        await step(alice)
    reply = await alice.send("/cancel")
    assert reply.text == "Cancelled. Nothing was bought or retired."
    reply = await alice.send("/cancel")
    assert reply.text == "There is nothing to cancel."
    reply = await alice.send("pay")  # the old flow is gone: no invoice
    await assert_nothing_changed(bot, alice, shop)


async def test_cancel_while_typing_a_beneficiary_cancels(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await to_retire(alice)
    await alice.press("✍️ For someone else")
    reply = await alice.send("/cancel")
    assert reply.text == "Cancelled. Nothing was bought or retired."
    await assert_nothing_changed(bot, alice, shop)
