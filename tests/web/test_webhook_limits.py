"""The webhook's limits: a body too big answers 413, one nested too deep 400, never a 500;
the bot gets nothing from either, and what Telegram really sends still gets through."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram import Update
from telegram.ext import Application

from core.inbox import InboxUpdate
from core.settings import load_settings
from web.app import (
    MAX_UPDATE_BYTES,
    MAX_UPDATE_DEPTH,
    WEBHOOK_PATH,
    _is_nested_deeper,
    build_web_app,
)

TOKEN = "123456:LIMITS-TEST"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token", "Content-Type": "application/json"}


def update(text: str = "hi", **message: object) -> dict:
    return {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},
                                        "from": {"id": 7, "is_bot": False, "first_name": "A"},
                                        "text": text, **message}}


@pytest.fixture
async def webhook(db, tmp_path):
    """(client, application) for a web app in webhook mode."""
    settings = load_settings(
        bot_token=TOKEN, data_dir=tmp_path, webhook_url="https://bot.example/telegram/webhook",
        webhook_secret=SECRET["X-Telegram-Bot-Api-Secret-Token"],
    )
    application = Application.builder().token(TOKEN).updater(None).build()
    async with TestClient(TestServer(build_web_app(settings, application))) as client:
        yield client, application


DEEP_BODIES = {
    "100,000 arrays": b"[" * 100_000 + b"]" * 100_000,
    "100,000 arrays, unclosed": b"[" * 100_000,
    "an update holding 100,000 arrays": b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "an update holding 30,000 objects": b'{"update_id": 1, "x": ' + b'{"a":' * 30_000 + b"1" + b"}" * 30_000 + b"}",
    "one level past the limit": b'{"update_id": 1, "x": ' + b"[" * MAX_UPDATE_DEPTH + b"]" * MAX_UPDATE_DEPTH + b"}",
}


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
async def test_a_body_nested_too_deep_answers_400_and_reaches_no_bot(webhook, body):
    client, application = webhook
    assert len(body) <= MAX_UPDATE_BYTES
    response = await client.post(WEBHOOK_PATH, data=body, headers=SECRET)
    assert response.status == 400
    assert await response.json() == {"error": "bad request"}
    assert not await InboxUpdate.exists()


async def test_a_body_over_the_size_limit_answers_413_and_reaches_no_bot(webhook):
    client, application = webhook
    body = json.dumps(update("x" * MAX_UPDATE_BYTES)).encode()
    response = await client.post(WEBHOOK_PATH, data=body, headers=SECRET)
    assert response.status == 413
    assert await response.json() == {"error": "too large"}
    assert not await InboxUpdate.exists()


async def test_a_chunked_body_over_the_size_limit_answers_413_too(webhook):
    client, application = webhook

    async def chunks():
        yield b'{"update_id": 5, "message": {"text": "'
        for _ in range(MAX_UPDATE_BYTES // 65_536 + 1):
            yield b"x" * 65_536
        yield b'"}}'

    response = await client.post(WEBHOOK_PATH, data=chunks(), headers=SECRET)
    assert response.status == 413
    assert not await InboxUpdate.exists()


async def test_a_big_body_without_the_secret_is_refused_before_it_is_read(webhook):
    client, application = webhook
    body = json.dumps(update("x" * MAX_UPDATE_BYTES)).encode()
    response = await client.post(WEBHOOK_PATH, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 401
    assert not await InboxUpdate.exists()


async def test_an_update_as_big_and_deep_as_telegram_sends_still_reaches_the_bot(webhook):
    client, application = webhook
    text = "[{\"Ünïcode\" 🌍 ]} " * 227  # brackets inside a string are text, not nesting
    entities = [{"type": "bold", "offset": i, "length": 1} for i in range(0, 4096, 2)]
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}] for _ in range(10)]}
    body = update(text, entities=entities, reply_markup=keyboard,
                  reply_to_message={**update(text)["message"], "entities": entities})
    data = json.dumps(body).encode()
    assert 150_000 < len(data) < MAX_UPDATE_BYTES
    response = await client.post(WEBHOOK_PATH, data=data, headers=SECRET)
    assert response.status == 200, await response.text()
    [stored] = await InboxUpdate.all()  # in the inbox, for the bot to handle
    queued = Update.de_json(json.loads(stored.body), application.bot)
    assert queued.message.text == text and len(queued.message.entities) == 2048


@pytest.mark.parametrize(("body", "is_deeper"), [
    (b"[" * MAX_UPDATE_DEPTH + b"]" * MAX_UPDATE_DEPTH, False),
    (b"[" * (MAX_UPDATE_DEPTH + 1), True),
    (b'{"a": "' + b"[" * 1000 + b'"}', False),  # inside a string
    (b'{"a": "\\"' + b"[" * 1000 + b'"}', False),  # after an escaped quote, still inside
    (b'{"a": "\\\\"' + b", " + b"[" * 1000, True),  # an escaped backslash ends the string
    (b"[]" * 100_000, False),  # wide, not deep
])
def test_nesting_is_measured_outside_strings(body, is_deeper):
    assert _is_nested_deeper(body, MAX_UPDATE_DEPTH) is is_deeper
