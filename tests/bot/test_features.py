"""A bot built without one feature loses its menu item, its commands and its deep link."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import ALL_FEATURES
from bot.conversations import buy, retire
from bot.feature import Feature
from core.settings import load_settings
from sandbox.botapi import BotApiServer, ManualClock
from tests.flows.conftest import TOKEN, FlowBot

BUY_LABEL = "🛒 Buy credits"
UNKNOWN_LINK = "This link is not valid or has expired."


@asynccontextmanager
async def running_bot(db: str, tmp_path: Path, features: list[Feature]):
    """The real bot with `features` only, against the stand-in (as the flows' `bot` fixture)."""
    clock = ManualClock()
    server = BotApiServer(TOKEN, clock=clock)
    await server.start()
    settings = load_settings(bot_token=TOKEN, database_url=db, data_dir=tmp_path,
                             telegram_api_url=server.url, default_language="en", webhook_url="")
    flow = FlowBot(server, clock, settings, features=features)
    await flow.start()
    try:
        yield flow
    finally:
        await flow.stop()
        await server.stop()


def command_names(flow: FlowBot, language: str = "en") -> list[str]:
    return [c["command"] for c in flow.server.commands_for(language)]


async def what_the_bot_offers(flow: FlowBot) -> tuple[list[str], list[str], list[str]]:
    """The menu labels, the command names and the answer to the `buy` deep link."""
    alice = await flow.signed_up_user("Alice")
    await alice.send("/help")
    labels = alice.keyboard_labels()
    reply = await alice.send("/start buy")
    return labels, command_names(flow), reply.texts


async def test_the_full_bot_has_the_buying_menu_item_commands_and_deep_link(db, tmp_path):
    async with running_bot(db, tmp_path, ALL_FEATURES) as flow:
        labels, commands, link_reply = await what_the_bot_offers(flow)
        assert flow.unexpected_errors == 0
    assert BUY_LABEL in labels
    assert {"buy", "retire"} <= set(commands)
    assert commands[0] == "start" and commands[-2:] == ["help", "cancel"]
    assert link_reply[-1] == "Nothing is for sale right now. Please try again later."  # the catalogue


async def test_leaving_out_buying_removes_its_menu_item_commands_and_deep_link(db, tmp_path):
    without_buy = [f for f in ALL_FEATURES if f not in (buy.FEATURE, retire.FEATURE)]
    async with running_bot(db, tmp_path, without_buy) as flow:
        labels, commands, link_reply = await what_the_bot_offers(flow)
        assert flow.unexpected_errors == 0
    assert BUY_LABEL not in labels and "🌱 Retire credits" not in labels
    assert "💰 Balance" in labels  # the other features are still there
    assert "buy" not in commands and "retire" not in commands
    assert "footprint" in commands and "lookup" in commands
    assert link_reply == ["Welcome back, Alice! Use the menu below or /help.", UNKNOWN_LINK]


async def test_a_new_features_reader_reads_free_text_before_the_others(db, tmp_path):
    """A reader at READ_CODE (as the product-code feature has) gets typed text first;
    text it does not claim still reaches the id look-up, the footprint and the hint."""
    from bot.feature import READ_CODE, Reader

    async def read_code(update, context, text: str) -> bool:
        if not text.upper().startswith("CODE-"):
            return False
        await update.effective_chat.send_message(f"code {text.upper()} read")
        return True

    # (the claim feature reads product codes at READ_CODE already: this is another, like it)
    codes = Feature(name="gift-codes", readers=[Reader("gift-code", read_code, order=READ_CODE)])
    async with running_bot(db, tmp_path, [*ALL_FEATURES[:-1], codes, ALL_FEATURES[-1]]) as flow:
        alice = await flow.signed_up_user("Alice")
        assert (await alice.send("code-7K3M")).text == "code CODE-7K3M read"
        assert (await alice.send("LHR CDG")).text.startswith("🌍 Flight LHR–CDG")
        assert "CCCP-NOPE-2024-1" in (await alice.send("CCCP-NOPE-2024-1")).text  # the look-up's answer
        reply = await alice.send("hello there")
        assert "code" not in reply.text and reply.text  # help's hint
        assert flow.unexpected_errors == 0
