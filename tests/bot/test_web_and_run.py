"""`cccp run` and the web app: configuration errors, health, webhook secret, serve/stop."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from telegram.ext import Application

from cccp.run import serve
from core.inbox import InboxState, InboxUpdate
from core.settings import load_settings
from sandbox.botapi import BotApiServer, ManualClock
from web.app import WEBHOOK_PATH, build_web_app

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:RUN-TEST"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_with_an_invalid_setting_exits_naming_the_variable(tmp_path):
    env = {**os.environ, "ADMIN_IDS": "abc", "BOT_TOKEN": "1:x"}
    result = subprocess.run(
        [sys.executable, "-m", "cccp", "run"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "ADMIN_IDS" in result.stderr and "abc" in result.stderr
    assert "Traceback" not in result.stderr


async def test_health_answers_ok_with_the_database(db, tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url=db)
    async with TestClient(TestServer(build_web_app(settings))) as client:
        response = await client.get("/healthz")
        assert response.status == 200 and await response.json() == {"status": "ok", "db": "ok"}


async def test_the_webhook_refuses_updates_without_the_secret_and_stores_them_with_it(db, tmp_path):
    settings = load_settings(
        bot_token=TOKEN, data_dir=tmp_path, webhook_url="https://bot.example/telegram/webhook",
        webhook_secret="s3cret-token",
    )
    application = Application.builder().token(TOKEN).updater(None).build()
    update = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"},
                                          "from": {"id": 7, "is_bot": False, "first_name": "A"}, "text": "hi"}}
    async with TestClient(TestServer(build_web_app(settings, application))) as client:
        assert (await client.post(WEBHOOK_PATH, json=update)).status == 401
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
        assert (await client.post(WEBHOOK_PATH, json=update, headers=wrong)).status == 401
        assert not await InboxUpdate.exists()
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        assert (await client.post(WEBHOOK_PATH, json=update, headers=right)).status == 200
        # Stored in the inbox before the 200: a crash now loses nothing.
        [stored] = await InboxUpdate.all()
        assert (stored.update_id, stored.chat_id, stored.state) == (5, 7, InboxState.PENDING)
        assert json.loads(stored.body)["message"]["text"] == "hi"
        assert (await client.post(WEBHOOK_PATH, json=update, headers=right)).status == 200  # Telegram retries
        assert await InboxUpdate.all().count() == 1


MALFORMED_UPDATES = [
    b"[]", b"{}", b"3", b"null", b'"update"', b'{"update_id": "x"}', b'{"update_id": true}',
    b'{"update_id": 1.5}', b'{"update_id": 6, "message": "hi"}', b'{"update_id": 6, "message": {"x": 1}}',
    b"not json", b"\xff\xfe{", b"",
]


@pytest.mark.parametrize("body", MALFORMED_UPDATES, ids=[b.decode("latin-1") or "empty" for b in MALFORMED_UPDATES])
async def test_the_webhook_answers_400_to_a_body_that_is_not_an_update_and_stores_nothing(db, tmp_path, body):
    settings = load_settings(
        bot_token=TOKEN, data_dir=tmp_path, webhook_url="https://bot.example/telegram/webhook",
        webhook_secret="s3cret-token",
    )
    application = Application.builder().token(TOKEN).updater(None).build()
    right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token", "Content-Type": "application/json"}
    async with TestClient(TestServer(build_web_app(settings, application))) as client:
        response = await client.post(WEBHOOK_PATH, data=body, headers=right)
        assert response.status == 400
        assert await response.json() == {"error": "bad request"}
    assert not await InboxUpdate.exists()


async def test_serve_runs_bot_and_web_app_and_stops_cleanly(db_url, tmp_path):
    server = BotApiServer(TOKEN, clock=ManualClock())
    await server.start()
    settings = load_settings(
        bot_token=TOKEN, database_url=db_url, data_dir=tmp_path, web_port=free_port(),
        telegram_api_url=server.url,
    )
    builder = Application.builder().token(TOKEN).base_url(server.base_url).base_file_url(server.base_file_url)
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, builder, stop_event=stop, started=started))
    try:
        await asyncio.wait_for(started.wait(), 20)
        alice = server.user("Alice")
        reply = await alice.send("/start")
        assert "Welcome to CCCP" in reply.text
        assert server.commands_for("fr")[0]["command"] == "start"
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await server.stop()
