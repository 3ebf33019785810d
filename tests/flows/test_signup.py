"""Signing up through the chat, by buttons and by typing, in each language."""

from __future__ import annotations

from core import users
from core.users import UserRole


async def test_signing_up_by_buttons_creates_the_user_and_shows_the_menu(bot):
    alice = bot.user("Alice", language_code="en")
    reply = await alice.send("/start")
    assert "CCCP" in reply.text and "✓ English" in alice.keyboard_labels()
    await alice.press("Deutsch")
    assert "akzeptieren" in alice.last_text.lower() or "Bedingungen" in alice.last_text
    await alice.press("✅ Ich akzeptiere")
    await alice.press("☐ Händler")
    await alice.press("☐ Verbraucher")
    reply = await alice.press("Fertig")
    assert "Alice" in reply.texts[-1]
    user = await users.get_user(alice.user_id)
    assert user.language == "de" and user.roles == {UserRole.MERCHANT, UserRole.CONSUMER}
    assert "💰 Kontostand" in alice.keyboard_labels()
    assert bot.unexpected_errors == 0
