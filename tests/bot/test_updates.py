"""The update processor: chats at once, one chat in order (bot/updates.py).

A real PTB Application (initialised against the Bot API stand-in) takes the
updates off its queue as it does in production; the handlers only record.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest_asyncio
from telegram import Chat, Message, PreCheckoutQuery, Update, User
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app import build_application
from bot.updates import ChatOrderedUpdateProcessor, ordering_key
from core.settings import load_settings
from sandbox.botapi import BotApiServer

TOKEN = "123456:UPDATES-TEST"
SENT_AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def text_update(update_id: int, chat_id: int, text: str) -> Update:
    person = User(id=chat_id, first_name=f"P{chat_id}", is_bot=False)
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, SENT_AT, chat, from_user=person, text=text))


@pytest_asyncio.fixture
async def server():
    server = BotApiServer(TOKEN)
    await server.start()
    yield server
    await server.stop()


async def run_application(server, processor, handler, updates) -> None:
    """Start an Application with `processor`, queue every update at once, wait until all are handled."""
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .updater(None)
        .concurrent_updates(processor)
        .build()
    )
    application.add_handler(TypeHandler(Update, handler))
    async with application:
        await application.start()
        for update in updates:
            application.update_queue.put_nowait(update)
        await asyncio.wait_for(application.update_queue.join(), 10)
        await application.stop()


async def test_twenty_quick_updates_of_one_chat_are_handled_in_the_order_sent(server):
    rng = random.Random(5)
    handled: list[str] = []

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # A random number of trips round the event loop: without a lock per chat
        # the later updates overtake the earlier ones.
        for _ in range(rng.randrange(40)):
            await asyncio.sleep(0)
        handled.append(update.message.text)

    sent = [str(n) for n in range(20)]
    await run_application(
        server, ChatOrderedUpdateProcessor(), handle, [text_update(n + 1, 7, text) for n, text in enumerate(sent)]
    )
    assert handled == sent


async def test_each_of_many_chats_keeps_its_order_while_chats_interleave(server):
    rng = random.Random(11)
    handled: dict[int, list[int]] = {}
    running = 0
    most_running = 0

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal running, most_running
        running += 1
        most_running = max(most_running, running)
        for _ in range(rng.randrange(20)):
            await asyncio.sleep(0)
        handled.setdefault(update.effective_chat.id, []).append(int(update.message.text))
        running -= 1

    chats = range(1, 11)
    updates = [text_update(n * 10 + chat, chat, str(n)) for n in range(15) for chat in chats]
    processor = ChatOrderedUpdateProcessor(max_running=4)
    await run_application(server, processor, handle, updates)
    assert handled == {chat: list(range(15)) for chat in chats}
    assert 1 < most_running <= 4
    assert processor.chats_in_flight == 0  # the locks went with the last update of each chat


async def test_a_chat_that_floods_the_bot_does_not_hold_up_another_chat(server):
    other_chat_done = asyncio.Event()
    handled: list[str] = []

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message.text == "flood 0":
            await asyncio.wait_for(other_chat_done.wait(), 5)  # released only by the other chat
        handled.append(update.message.text)
        if update.message.text == "other":
            other_chat_done.set()

    updates = [text_update(n + 1, 1, f"flood {n}") for n in range(10)] + [text_update(100, 2, "other")]
    await run_application(server, ChatOrderedUpdateProcessor(max_running=2), handle, updates)
    assert handled == ["other"] + [f"flood {n}" for n in range(10)]


def test_a_pre_checkout_query_queues_with_its_payers_private_chat():
    payer = User(id=42, first_name="Payer", is_bot=False)
    query = PreCheckoutQuery("q1", payer, "XTR", 5, "order:1")
    assert ordering_key(Update(1, pre_checkout_query=query)) == 42
    assert ordering_key(text_update(2, 42, "hi")) == 42
    assert ordering_key(object()) is None


def test_the_bot_handles_chats_concurrently_with_a_lock_per_chat(tmp_path):
    settings = load_settings(bot_token=TOKEN, data_dir=tmp_path)
    application = build_application(settings, Application.builder().token(TOKEN))
    assert isinstance(application.update_processor, ChatOrderedUpdateProcessor)
    assert application.update_processor.max_running > 1
