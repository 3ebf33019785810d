"""The main menu offers what each role signed up for, and each button does what its command does."""

from __future__ import annotations

import pytest

CASES = [
    # role, button, the command it stands for
    ("trader", "📈 Market", "/market"),
    ("producer", "🌲 My forest", "/forest"),
    ("merchant", "🏪 My products", "/merchant"),
    ("consumer", "🌳 My trees", "/trees"),
    ("consumer", "🏷 Claim a code", "/claim"),
]


@pytest.mark.parametrize(("role", "label", "command"), CASES, ids=[c[1] for c in CASES])
async def test_a_menu_button_answers_as_its_command_does(bot, role, label, command):
    person = await bot.signed_up_user("Ada", roles=(role,))
    await person.send("/help")
    assert label in person.keyboard_labels()
    await person.send(command)  # a first visit may greet (a new merchant is registered)
    by_button = (await person.press(label)).texts
    by_command = (await person.send(command)).texts
    assert by_button == by_command and by_button


async def test_a_role_sees_only_its_own_buttons(bot):
    consumer = await bot.signed_up_user("Cleo")
    await consumer.send("/help")
    labels = consumer.keyboard_labels()
    assert "🌳 My trees" in labels and "🏷 Claim a code" in labels
    assert not {"📈 Market", "🌲 My forest", "🏪 My products"} & set(labels)


async def test_the_buttons_speak_the_users_language_and_work_in_it(bot):
    hans = await bot.signed_up_user("Hans", language="de", roles=("trader",))
    await hans.send("/help")
    assert "📈 Markt" in hans.keyboard_labels()
    reply = await hans.press("📈 Markt")
    assert reply.texts == (await hans.send("/market")).texts
