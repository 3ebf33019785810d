"""Balance, history, settings, help and the answers to what the bot cannot use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import ledger, registry, users
from tests.helpers import issue_to

from .conftest import SIGNED_UP_AT, png_bytes

DAY = datetime(2026, 2, 1, 10, 0, tzinfo=UTC)


async def give_kg(user_id: int, kg: int, key: str, *, when: datetime = DAY) -> None:
    await issue_to(user_id, kg, key, now=when)


async def test_balance_shows_available_held_and_retired_in_t_and_kg(bot):
    alice = await bot.signed_up_user("Alice")
    await give_kg(alice.user_id, 2750, "g1")
    wallet = await ledger.user_account(alice.user_id, ledger.CARBON)
    await registry.retire(wallet.id, 250, "Alice", "", key="r1", now=DAY)
    await ledger.hold("h1", wallet.id, 1000, "offer", now=DAY)
    reply = await alice.send("/balance")
    assert "Available: 1.5 t (1,500 kg)" in reply.text
    assert "Reserved: 1 t (1,000 kg), released when what holds it is done:" in reply.text
    assert "– 1 t (1,000 kg) in 1 open offer(s) of yours" in reply.text
    assert "Retired: 250 kg" in reply.text
    assert "Telegram Stars: 0 ⭐" in reply.text


async def test_balance_says_nothing_of_reservations_when_nothing_is_held(bot):
    alice = await bot.signed_up_user("Alice")
    await give_kg(alice.user_id, 2750, "g1")
    reply = await alice.send("/balance")
    assert "Available: 2.75 t (2,750 kg)" in reply.text
    assert "Reserved" not in reply.text and "Held" not in reply.text and "offer" not in reply.text


async def test_balance_in_german_uses_the_decimal_comma(bot):
    bert = await bot.signed_up_user("Bert", language="de")
    await give_kg(bert.user_id, 1500, "g1")
    await bert.send("/start")
    reply = await bert.press("💰 Kontostand")
    assert "Verfügbar: 1,5 t (1.500 kg)" in reply.text


async def test_history_pages_25_movements_in_three_pages_both_ways(bot):
    cem = await bot.signed_up_user("Cem")
    for i in range(25):
        await give_kg(cem.user_id, 100 + i, f"g{i}", when=DAY + timedelta(days=i))
    first = await cem.send("/history")
    lines = first.text.splitlines()[1:]
    assert len(lines) == 10 and lines[0] == "Feb 25, 2026 · issued · +124 kg"
    assert cem.keyboard_labels() == ["▶"]
    second = await cem.press("▶")
    assert second.text.splitlines()[1] == "Feb 15, 2026 · issued · +114 kg"
    assert cem.keyboard_labels() == ["◀", "▶"]
    third = await cem.press("▶")
    assert len(third.text.splitlines()[1:]) == 5 and cem.keyboard_labels() == ["◀"]
    back = await cem.press("◀")
    assert back.text == second.text
    assert (await cem.press("◀")).text == first.text


async def test_a_stale_or_forged_history_button_gets_a_clear_answer(bot):
    dee = await bot.signed_up_user("Dee")
    await give_kg(dee.user_id, 5, "g")
    await dee.send("/history")
    reply = await bot.press_data(dee, "hist:1")
    assert reply.callback_answer["text"].startswith("This page is no longer available")
    assert bot.unexpected_errors == 0


async def test_history_with_no_movements_says_so(bot):
    eli = await bot.signed_up_user("Eli", language="fr")
    assert (await eli.send("/history")).text == "Aucun mouvement pour l’instant."


async def test_commands_before_sign_up_point_to_start(bot):
    fin = bot.user("Fin")
    assert (await fin.send("/balance")).text == "You are not signed up yet. Send /start to begin."


async def test_cancel_with_nothing_to_cancel_says_so(bot):
    gia = await bot.signed_up_user("Gia", language="de")
    assert (await gia.send("/cancel")).text == "Es gibt nichts abzubrechen."


async def test_an_unknown_command_points_to_help(bot):
    hub = await bot.signed_up_user("Hub")
    assert "/help" in (await hub.send("/frobnicate")).text


async def test_a_sticker_and_a_photo_get_a_short_hint(bot):
    ivy = await bot.signed_up_user("Ivy")
    assert "only read text" in (await ivy.send_sticker()).text
    # A photo may be a product code's label (bot/handlers/claim.py): one without a code says so.
    assert "found no CCCP code in this photo" in (await ivy.send_photo(png_bytes())).text


async def test_an_unknown_button_is_answered_as_no_longer_valid(bot):
    jan = await bot.signed_up_user("Jan")
    await jan.send("/settings")
    reply = await jan.press(data="set:notif:off")
    assert reply.callback_answer is not None
    await bot.restart()
    reply = await bot.press_data(jan, "su:lang:de")  # an old sign-up button, no conversation
    assert reply.callback_answer["text"] == "This button is no longer valid."


async def test_settings_turn_notifications_off_and_add_a_role_by_buttons_and_typing(bot):
    kai = await bot.signed_up_user("Kai")
    await kai.send("/start")
    await kai.press("⚙️ Settings")
    await kai.press("🔕 Turn notifications off")
    assert not (await users.get_user(kai.user_id)).has_notifications
    await kai.press("➕ Trader")
    await kai.send("/settings add merchant")
    reply = await kai.send("/settings notifications on")
    user = await users.get_user(kai.user_id)
    assert user.has_notifications and {"trader", "merchant"} <= {str(r) for r in user.roles}
    assert "Notifications: on" in reply.text


async def test_language_changes_by_button_and_by_typing(bot):
    lou = await bot.signed_up_user("Lou")
    await lou.send("/language")
    reply = await lou.press("Français")
    assert reply.texts[-1] == "Langue réglée sur le français."
    assert "💰 Solde" in lou.keyboard_labels()
    reply = await lou.send("/language Deutsch")
    assert reply.texts[-1] == "Sprache auf Deutsch umgestellt."
    assert (await users.get_user(lou.user_id)).language == "de"


async def test_help_lists_the_commands_in_the_users_language(bot):
    max_ = await bot.signed_up_user("Max", language="fr")
    reply = await max_.send("/help")
    assert "/balance — Vos crédits et votre porte-monnaie" in reply.text


async def test_the_command_menu_is_set_per_language(bot):
    assert bot.server.commands_for("de")[0]["description"] == "Anmelden oder Menü zeigen"
    assert bot.server.commands_for("")[0]["description"] == "Sign up or show the menu"


async def test_settings_mute_and_unmute_a_topic_by_button_and_by_typing(bot):
    mia = await bot.signed_up_user("Mia", language="de")
    await mia.send("/settings")
    reply = await mia.press("🔔 Neuigkeiten von CCCP")  # hears news now: the press mutes it
    assert "news" in (await users.get_user(mia.user_id)).muted_topics
    assert "Stumm: Neuigkeiten von CCCP" in reply.text
    reply = await mia.send("/settings mute fills")
    assert (await users.get_user(mia.user_id)).muted_topics == {"news", "fills"}
    reply = await mia.send("/settings unmute news")
    assert (await users.get_user(mia.user_id)).muted_topics == {"fills"}
    reply = await mia.send("/settings mute everything")
    assert "fills, alerts, trees" in reply.text  # the hint, nothing changed
    assert (await users.get_user(mia.user_id)).muted_topics == {"fills"}


async def test_someone_who_blocked_the_bot_hears_again_after_start(bot):
    from core.outbox import Topic, enqueue

    ole = await bot.signed_up_user("Ole")
    await users.mark_blocked(ole.user_id, SIGNED_UP_AT)  # the sender got a 403 for them
    reply = await ole.send("/start")
    assert "Ole" in reply.text
    assert (await users.get_user(ole.user_id)).blocked_bot_at is None
    await enqueue(ole.user_id, "notice", {"text": "Welcome back"}, dedup_key="back", topic=Topic.NEWS)
    assert (await ole.wait_for(lambda m: m.text == "Welcome back")).text == "Welcome back"  # the sender task


async def test_someone_marked_as_having_blocked_the_bot_is_unmarked_by_writing_to_it(bot):
    bob = await bot.signed_up_user("Bob")
    await users.mark_blocked(bob.user_id, datetime(2026, 2, 1, tzinfo=UTC))  # a 403 once, then unblocked
    await bob.send("/support")  # anything they write, not only /start
    assert (await users.get_user(bob.user_id)).blocked_bot_at is None
