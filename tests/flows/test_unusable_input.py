"""What a person sends that the bot cannot use: a clear answer, nothing moves, no error.

Each case once reached the error handler (issue 12, points 7 and 8): absurd numbers,
echoes past Telegram's limits, a typed word the step did not offer, control characters
that PostgreSQL refuses, and buttons from another flow, another step, or nowhere.
"Nothing moved": no order, no retirement, balances as before (and the `db` fixture
verifies the ledger after each test).
"""

from __future__ import annotations

import pytest

from bot.persistence import USER_DATA
from core import kv
from core.ledger import CARBON, STARS, user_account
from core.purchases.models import Purchase
from core.registry.models import Retirement
from sandbox.botapi import events
from tests.helpers import issue_to
from tests.purchases.conftest import make_shop

STALE = "This button is no longer valid."


@pytest.fixture
async def shop(bot):
    return await make_shop()


async def carbon_of(person) -> int:
    return (await user_account(person.user_id, CARBON)).balance


async def assert_nothing_moved(bot, person, shop, *, carbon_kg: int = 0) -> None:
    assert await Purchase.all().count() == 0
    assert await Retirement.all().count() == 0
    assert not any(m.invoice for m in person.messages)
    assert await carbon_of(person) == carbon_kg
    assert (await user_account(shop.project.producer_id, STARS)).balance == 0
    assert bot.unexpected_errors == 0


def answers(reply) -> int:
    return sum(1 for e in reply.events if e.kind == events.CALLBACK_ANSWERED)


async def holder(bot, name: str = "Hana", kg: int = 1000):
    """A signed-up person holding `kg` of credits of their own (for /retire)."""
    person = await bot.signed_up_user(name)
    await issue_to(person.user_id, kg, f"hold:{name}")
    return person


# ---- absurd numbers -----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "answer"), [
    ("99e99 km car", "km is more than the 100,000 km I accept"),
    ("flight LHR JFK 1e99 passengers", "passengers is more than the 500 passengers I accept"),
    ("1e99 kWh DE", "kWh is more than the 1,000,000 kWh I accept"),
    ("car 1e30 km diesel", "km is more than the 100,000 km I accept"),
    ("9" * 300 + " kWh DE", "kWh is more than the 1,000,000 kWh I accept"),
])
async def test_an_absurd_number_is_refused_as_too_large(bot, shop, typed, answer):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send(typed)
    assert answer in reply.text, reply.text
    assert len(reply.text) < 200
    await assert_nothing_moved(bot, alice, shop)


async def test_an_absurd_number_at_a_step_is_refused_and_asked_again(bot, shop):
    alice = await bot.signed_up_user("Alice", language="de")
    await alice.send("/footprint")
    await alice.press("💡 Strom")
    await alice.press("Deutschland")
    reply = await alice.send("1e99")
    assert "1E99 kWh" in reply.text and "Wie viele kWh" in reply.text, reply.text
    await assert_nothing_moved(bot, alice, shop)


# ---- echoes past Telegram's limits --------------------------------------------------


async def test_a_very_long_text_is_quoted_back_cut_short(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("spent 5 EUR on " + "wool socks " * 400)
    assert "I do not know the spending category “wool socks wool socks" in reply.text
    assert "…”" in reply.text and len(reply.text) < 300
    await assert_nothing_moved(bot, alice, shop)


async def test_a_very_long_answer_at_a_step_is_quoted_back_cut_short(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/footprint")
    await alice.press("🛍 Spending")
    await alice.press("Shoes")
    reply = await alice.send("Swiss francs " * 400)
    assert "I do not know the currency “Swiss francs" in reply.text and len(reply.text) < 400
    await assert_nothing_moved(bot, alice, shop)


# ---- a word the step did not offer --------------------------------------------------


@pytest.mark.parametrize(("language", "word", "hint", "confirm", "done"), [
    ("en", "card", "Press Retire or type “retire” to retire the credits, or /cancel.", "retire",
     "Done: 300 kg CO2e retired for Hana"),
    ("de", "karte", "Tippe auf Stilllegen oder schreibe „stilllegen“, um die Zertifikate stillzulegen, "
     "oder /cancel.", "stilllegen", "300 kg CO2e für Hana stillgelegt"),
])
async def test_card_typed_at_the_retire_confirmation_is_answered_with_a_hint(
    bot, shop, language, word, hint, confirm, done
):
    hana = await bot.signed_up_user("Hana", language=language)
    await issue_to(hana.user_id, 1000, "hold:Hana")
    await hana.send("/retire")
    await hana.send("300 kg")
    await hana.send("me")
    await hana.send("skip")
    reply = await hana.send(word)
    assert reply.text == hint
    await assert_nothing_moved(bot, hana, shop, carbon_kg=1000)
    reply = await hana.send(confirm)  # still at the same step
    assert done in reply.texts[0]


# ---- control characters -------------------------------------------------------------


async def test_a_nul_in_a_certificate_name_is_dropped_and_the_chat_goes_on(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    await alice.send("0.5\x00 t")
    reply = await alice.send("Zo\x00ë\x07 Ørsted\u0085")
    assert reply.text.startswith("What is it for?")
    reply = await alice.send("offset \ud800of\x1b flight")
    assert "Retired at once for Zoë Ørsted." in reply.text
    assert "Reason: offset of flight" in reply.text
    assert "Available" in (await alice.send("/balance")).text
    await assert_nothing_moved(bot, alice, shop)


async def test_control_characters_in_a_command_still_run_it(bot, shop):
    alice = await bot.signed_up_user("Alice")
    reply = await alice.send("/bal\x00ance")
    assert "Available" in reply.text
    reply = await alice.send("/footprint\x00")
    assert "What would you like to offset?" in reply.text
    await assert_nothing_moved(bot, alice, shop)


async def test_a_nul_already_in_a_draft_does_not_poison_the_chat(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    await alice.send("0.5 t")
    await alice.send("Zoë")
    # A draft from before the boundary cleaned input: the NUL is in memory already.
    bot.application.user_data[alice.user_id]["buy"]["retire_for"] = "Zo\x00ë"
    assert "Available" in (await alice.send("/balance")).text  # saving it does not fail
    reply = await alice.send("skip")
    assert "Retired at once for Zoë." in reply.text
    await assert_nothing_moved(bot, alice, shop)


async def test_a_nul_already_stored_in_user_data_is_dropped_when_it_is_read(bot, shop, db):
    if not db.startswith("sqlite"):
        pytest.skip("PostgreSQL refuses to store a NUL at all (the case the boundary prevents)")
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    await alice.send("0.5 t")
    await alice.send("Zoë")
    stored = (await kv.get_namespace(USER_DATA))[str(alice.user_id)]
    stored["buy"]["retire_for"] = "Zo\x00ë"
    await kv.set_value(USER_DATA, str(alice.user_id), stored)
    await bot.restart()
    reply = await alice.send("skip")
    assert "Retired at once for Zoë." in reply.text
    assert "\x00" not in str(await kv.get_namespace(USER_DATA))
    await assert_nothing_moved(bot, alice, shop)


# ---- buttons from another flow, another step, or nowhere ----------------------------


async def test_a_units_button_on_a_listing_is_no_longer_valid(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    reply = await bot.press_data(alice, "buy:qty:5")
    assert reply.callback_answer["text"] == STALE and answers(reply) == 1
    assert not reply.messages and not reply.edited
    assert "Retire the credits now?" in (await alice.send("0.5 t")).text  # same step
    await assert_nothing_moved(bot, alice, shop)


async def test_buying_buttons_inside_retire_are_no_longer_valid(bot, shop):
    hana = await holder(bot)
    await hana.send("/retire")
    reply = await bot.press_data(hana, "buy:qty:5")
    assert reply.callback_answer["text"] == STALE and answers(reply) == 1
    await hana.send("300 kg")
    await hana.send("me")
    await hana.send("skip")
    for data in ("buy:pay:xtr", "buy:pay:card", "buy:ret:keep", "buy:amt:500"):
        reply = await bot.press_data(hana, data)
        assert reply.callback_answer["text"] == STALE and answers(reply) == 1, data
        assert not reply.messages and not reply.edited
    await assert_nothing_moved(bot, hana, shop, carbon_kg=1000)


async def test_a_retire_button_at_a_buy_confirmation_retires_nothing(bot, shop):
    hana = await holder(bot)
    await hana.send("/buy")
    await hana.send("1")
    await hana.send("0.5 t")
    reply = await hana.send("keep")
    assert "Total: 500 ⭐" in reply.text
    reply = await bot.press_data(hana, "buy:pay:ret")
    assert reply.callback_answer["text"] == STALE and answers(reply) == 1
    assert not reply.messages and not reply.edited
    await assert_nothing_moved(bot, hana, shop, carbon_kg=1000)


@pytest.mark.parametrize("at", ["nowhere", "buy", "signup", "footprint"])
async def test_an_empty_button_is_no_longer_valid(bot, shop, at):
    alice = await bot.signed_up_user("Alice") if at != "signup" else bot.user("Alice")
    if at == "buy":
        await alice.send("/buy")
        await alice.send("1")
    elif at == "signup":
        await alice.send("/start")
    elif at == "footprint":
        await alice.send("/footprint")
    else:
        await alice.send("/help")
    reply = await bot.press_data(alice, "")
    assert reply.callback_answer["text"] == STALE and answers(reply) == 1
    reply = await bot.press_data(alice, "buy:amt:" + "1" * 60)  # past 64 bytes
    assert reply.callback_answer["text"] == STALE and answers(reply) == 1
    assert bot.unexpected_errors == 0


async def test_a_footprint_button_from_someone_not_signed_up_is_answered_once(bot, shop):
    nia = bot.user("Nia")
    await nia.send("/help")
    for data in ("fp:off:deadbeef", "fp:rf:deadbeef", "fp:zzz", "fp:set:deadbeef:LHR", "fp:act:car"):
        reply = await bot.press_data(nia, data)
        assert answers(reply) == 1, data
        assert reply.callback_answer["text"], data
    assert bot.unexpected_errors == 0


async def test_a_button_of_another_feature_at_a_step_moves_nothing(bot, shop):
    alice = await bot.signed_up_user("Alice")
    await alice.send("/buy")
    await alice.send("1")
    for data in ("su:lang:de", "fp:set:deadbeef:LHR", "hist:99", "set:notif:off", "buy:why:skip"):
        reply = await bot.press_data(alice, data)
        assert answers(reply) == 1, data
    assert "Retire the credits now?" in (await alice.send("0.5 t")).text
    await assert_nothing_moved(bot, alice, shop)
