"""Support in the sandbox page: the real bot, the stand-in's support group (a forum) and two
browser tabs on the page's live channel. Bob writes /support in his chat; Support opens the
support group beside their chat with the bot, sees the ticket's topic and Bob's message, and
answers in the topic, in a reply too, and closes the ticket from /tickets in the group; the
answers reach Bob's tab."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest_asyncio
from aiohttp import web

from cccp.sandbox import SANDBOX_LIMITS, SANDBOX_SUPPORT_CHAT_ID, add_support_group
from core import users
from core.settings import load_settings
from sandbox.botapi import BotApiServer
from sandbox.page import BOB, SUPPORT, SandboxPage
from sandbox.site import start_site
from tests.flows.conftest import TOKEN, FlowBot

from .conftest import Tab


@pytest_asyncio.fixture
async def support_sandbox(db, tmp_path):
    """The page and the stand-in on one port, as `cccp sandbox` serves them, with the real bot."""
    # Real time and the sandbox's flood limits: the page's people act without a think time.
    server = BotApiServer(TOKEN, limits=SANDBOX_LIMITS)
    add_support_group(server)
    app = web.Application()
    server.mount(app)
    SandboxPage(server).add_routes(app)
    runner, url = await start_site(app, "127.0.0.1", 0)
    server.url = url
    settings = load_settings(bot_token=TOKEN, database_url=db, data_dir=tmp_path, telegram_api_url=url,
                             default_language="en", webhook_url="", admin_ids=str(SUPPORT.user_id),
                             support_chat_id=SANDBOX_SUPPORT_CHAT_ID)
    await users.sign_up(BOB.user_id, "Bob", "en", ["consumer"], now=datetime(2026, 1, 1, tzinfo=UTC))
    flow = FlowBot(server, server.clock, settings)
    await flow.start()
    try:
        async with aiohttp.ClientSession() as session:
            async def open_tab(person: str) -> tuple[Tab, dict]:
                tab = Tab(await session.ws_connect(f"{url}/sandbox/ws?as={person}"))
                return tab, await tab.next_of("hello")

            yield open_tab, flow
    finally:
        await flow.stop()
        await server.stop()
        await runner.cleanup()


def from_bot(text: str):
    return lambda m: m["type"] == "message" and m["message"]["from_bot"] and text in (m["message"]["text"] or "")


async def test_support_answers_a_ticket_in_the_group_view_and_bob_reads_it(support_sandbox):
    open_tab, flow = support_sandbox
    bob, mine = await open_tab("bob")
    assert [c["kind"] for c in mine["chats"]] == ["private"]  # Bob is in no group
    refused = await bob.act(type="open", chat=SANDBOX_SUPPORT_CHAT_ID)
    assert refused["type"] == "error" and refused["text"] == "No such chat."
    assert (await bob.act(type="send", text="/support My credits are missing"))["type"] == "done"
    await bob.next(from_bot("Sent to our team as ticket #1"))

    desk, hello = await open_tab("support")
    assert hello["chat"] == SUPPORT.user_id  # a tab starts in the chat with the bot
    chats = hello["chats"]
    assert [(c["kind"], c["title"]) for c in chats] == [("private", "CCCP Sandbox"), ("forum", "CCCP support")]
    [topic] = chats[1]["topics"]
    assert topic["name"] == "#1 Bob"
    assert (await desk.act(type="open", chat=SANDBOX_SUPPORT_CHAT_ID))["type"] == "done"
    group = await desk.next_of("hello", chat=SANDBOX_SUPPORT_CHAT_ID)
    in_topic = [m for m in group["messages"] if m["thread_id"] == topic["id"]]
    assert in_topic[0]["topic_created"] == "#1 Bob"
    assert f"id {BOB.user_id}" in in_topic[1]["text"]  # the short user card
    asked = in_topic[-1]
    assert asked["text"] == "My credits are missing" and asked["from_bot"]

    answer = await desk.act(type="send", text="They are in your account: send /balance", thread_id=topic["id"])
    assert answer["type"] == "done"
    written = await desk.next(lambda m: m["type"] == "message" and not m["message"]["from_bot"])
    assert written["message"]["sender"] == {"id": SUPPORT.user_id, "name": "Support"}
    assert written["message"]["thread_id"] == topic["id"]
    reply = await bob.next(from_bot("Our team (ticket #1)"))
    assert reply["message"]["text"] == "💬 Our team (ticket #1):\nThey are in your account: send /balance"

    assert (await desk.act(type="send", text="Or look at /history", reply_to=asked["id"]))["type"] == "done"
    replied = await desk.next(lambda m: m["type"] == "message" and m["message"]["text"] == "Or look at /history")
    assert replied["message"]["reply_to"] == asked["id"] and replied["message"]["thread_id"] == topic["id"]
    assert (await bob.next(from_bot("Or look at /history")))["message"]["text"].endswith("Or look at /history")

    await desk.act(type="send", text="/tickets")  # a staff command in the group: answered in General
    listing = (await desk.next(from_bot("#1 · answered")))["message"]
    assert listing["thread_id"] is None
    [[close]] = listing["inline_keyboard"]
    assert (await desk.act(type="press", message_id=listing["id"], data=close["callback_data"]))["type"] == "done"
    assert (await desk.next_of("answer"))["text"] == "Ticket #1 closed."
    await bob.next(from_bot("Your ticket #1 is closed"))
    assert flow.unexpected_errors == 0

