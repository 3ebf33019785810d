"""/retire as its own conversation: its draft, its buttons (`retire:`), a lost draft."""

from __future__ import annotations

from core.ledger import CARBON, user_account
from tests.helpers import issue_to

STALE = "This button is no longer valid."


async def holder(bot, kg: int = 1000):
    person = await bot.signed_up_user("Hana")
    await issue_to(person.user_id, kg, "retire:hana")
    return person


async def carbon_of(person) -> int:
    return (await user_account(person.user_id, CARBON)).balance


async def test_retiring_by_buttons_alone_uses_its_own_buttons(bot):
    hana = await holder(bot)
    await hana.send("/retire")
    reply = await hana.press("0.5 t")
    assert "Whose name should go on the certificate?" in reply.text
    assert hana.last.reply_markup["inline_keyboard"][0][0]["callback_data"] == "retire:ret:me"
    await hana.press("🌱 In my name (Hana)")
    reply = await hana.press("Skip")
    assert "Retire 500 kg CO2e for Hana?" in reply.text
    reply = await hana.press("✅ Retire")
    assert "500 kg CO2e retired for Hana" in reply.texts[0] and hana.last_photo_bytes
    assert await carbon_of(hana) == 500


async def test_more_than_one_holds_is_refused_with_what_one_holds(bot):
    hana = await holder(bot)
    await hana.send("/retire")
    reply = await hana.send("2 t")
    assert "You hold only 1 t. Please choose a smaller amount." in reply.text
    assert await carbon_of(hana) == 1000


async def test_a_retire_draft_lost_under_a_step_starts_over_instead_of_failing(bot):
    hana = await holder(bot)
    await hana.send("/retire")
    bot.application.user_data[hana.user_id].pop("retire")
    reply = await hana.send("300 kg")
    assert "How much would you like to retire?" in reply.text
    await hana.send("300 kg")
    await hana.send("me")
    await hana.send("skip")
    reply = await hana.press("✅ Retire")
    assert await carbon_of(hana) == 700
    assert bot.unexpected_errors == 0
