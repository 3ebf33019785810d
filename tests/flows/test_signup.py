"""Signing up through the chat, by buttons and by typing, in each language."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bot.feature import Feature
from core import ledger, users
from core.users import UserRole

BUTTONS = {
    "en": ("✓ English", "✅ I accept", "☐ Trader", "Done", "💰 Balance"),
    "de": ("Deutsch", "✅ Ich akzeptiere", "☐ Trader", "Fertig", "💰 Kontostand"),
    "fr": ("Français", "✅ J’accepte", "☐ Négociant", "Terminé", "💰 Solde"),
}
TYPED = {
    "en": ("English", "yes", "consumer, trader", "You are all set"),
    "de": ("Deutsch", "ja", "Verbraucher und Trader", "Alles bereit"),
    "fr": ("français", "oui", "consommateur, négociant", "Tout est prêt"),
}


@pytest.mark.parametrize("language", ["en", "de", "fr"])
async def test_signing_up_by_buttons_alone_works_in_each_language(bot, language):
    lang_button, accept, trader, done, balance = BUTTONS[language]
    alice = bot.user("Alice", language_code="en")
    reply = await alice.send("/start")
    assert "CCCP" in reply.text and "✓ English" in alice.keyboard_labels()
    await alice.press(lang_button)
    await alice.press(accept)
    await alice.press(trader)
    reply = await alice.press(done)
    assert "Alice" in reply.texts[-1]
    user = await users.get_user(alice.user_id)
    assert user.language == language and user.roles == {UserRole.TRADER}
    assert balance in alice.keyboard_labels()
    wallets = {a.asset for a in await ledger.accounts_of(ledger.user_owner(alice.user_id))}
    assert wallets == {"carbon", "XTR"}
    assert bot.unexpected_errors == 0


@pytest.mark.parametrize("language", ["en", "de", "fr"])
async def test_signing_up_by_typing_alone_works_in_each_language(bot, language):
    lang_text, yes, roles, done_text = TYPED[language]
    bob = bot.user("Bob", language_code=None)
    await bob.send("/start")
    await bob.send(lang_text)
    await bob.send(yes)
    reply = await bob.send(roles)
    assert done_text in reply.texts[-1]
    user = await users.get_user(bob.user_id)
    assert user.language == language and user.roles == {UserRole.CONSUMER, UserRole.TRADER}


async def test_the_welcome_is_in_the_telegram_language_with_it_preselected(bot):
    claire = bot.user("Claire", language_code="fr")
    reply = await claire.send("/start")
    assert "Bienvenue" in reply.text
    assert "✓ Français" in claire.keyboard_labels()


async def test_unexpected_input_during_sign_up_is_answered_and_changes_nothing(bot):
    dan = bot.user("Dan")
    await dan.send("/start")
    assert "choose a language" in (await dan.send("Klingon")).text
    await dan.send("en")
    assert "I accept" in (await dan.send("maybe")).text
    assert "finish signing up" in (await dan.send("/balance")).text
    assert "finish signing up" in (await dan.send_sticker()).text
    await dan.send("yes")
    assert "account types" in (await dan.send("astronaut")).text
    assert "at least one" in (await dan.send("done")).text
    assert await users.get_user(dan.user_id) is None
    await dan.send("merchant")
    assert (await users.get_user(dan.user_id)).roles == {UserRole.MERCHANT}


async def test_declining_the_terms_ends_sign_up_without_an_account(bot):
    eve = bot.user("Eve")
    await eve.send("/start")
    await eve.press("✓ English")
    reply = await eve.press("Decline")
    assert "cannot use CCCP" in reply.text
    assert await users.get_user(eve.user_id) is None


async def test_cancel_during_sign_up_leaves_it(bot):
    fay = bot.user("Fay")
    await fay.send("/start")
    assert "cancelled" in (await fay.send("/cancel")).text
    assert "nothing to cancel" in (await fay.send("/cancel")).text


async def test_start_again_after_sign_up_shows_the_menu(bot):
    gus = await bot.signed_up_user("Gus", language="de")
    reply = await gus.send("/start")
    assert reply.texts == ["Willkommen zurück, Gus! Nutze das Menü unten oder /help."]
    assert "💰 Kontostand" in gus.keyboard_labels()


@pytest_asyncio.fixture
async def continued_offsets(bot) -> list[tuple[int, str]]:
    """The bot with one more feature, a `testoffset_` deep link; it records who continued what."""
    seen: list[tuple[int, str]] = []

    async def continue_offset(update, context, rest):
        seen.append((update.effective_user.id, rest))
        await update.effective_chat.send_message(f"offsetting {rest} kg")

    bot.features = [*bot.features, Feature("testoffset", deeplinks={"testoffset_": continue_offset})]
    await bot.restart()
    return seen


async def test_a_deep_link_is_kept_through_sign_up_and_continued_afterwards(bot, continued_offsets):
    seen = continued_offsets
    hal = bot.user("Hal")
    await hal.send("/start testoffset_2500")
    await hal.press("✓ English")
    await hal.press("✅ I accept")
    await hal.press("☐ Consumer")
    reply = await hal.press("Done")
    assert reply.texts[-1] == "offsetting 2500 kg"
    assert seen == [(hal.user_id, "2500")]


async def test_an_unknown_deep_link_is_answered_politely_after_sign_up(bot):
    ida = bot.user("Ida")
    await ida.send("/start nosuchthing_42")
    await ida.send("en")
    await ida.send("yes")
    reply = await ida.send("consumer")
    assert reply.texts[-1] == "This link is not valid or has expired."
    assert "not valid" in (await ida.send("/start ../../etc")).texts[-1]


async def test_a_restart_in_the_middle_of_sign_up_resumes_at_the_same_step_and_keeps_the_deep_link(
    bot, continued_offsets
):
    jo = bot.user("Jo")
    await jo.send("/start testoffset_7")
    await jo.press("Deutsch")
    await bot.restart()
    reply = await jo.send("ja")
    assert "Wie möchtest du CCCP nutzen?" in reply.text
    await bot.restart()
    reply = await jo.send("Produzent")
    assert "Alles bereit" in reply.texts[0]
    assert reply.texts[-1] == "offsetting 7 kg"  # the link from before both restarts
    assert continued_offsets == [(jo.user_id, "7")]
    user = await users.get_user(jo.user_id)
    assert user.language == "de" and user.roles == {UserRole.PRODUCER}


async def test_a_redelivered_start_signs_up_once_and_answers_once(bot):
    kim = bot.user("Kim")
    await kim.send("/start")
    await kim.send("en")
    await kim.send("yes")
    first = await kim.send("consumer", update_id=9000)
    again = await kim.send("consumer", update_id=9000)
    assert len(first.texts) == 1 and again.texts == []
    assert (await users.get_user(kim.user_id)).roles == {UserRole.CONSUMER}
