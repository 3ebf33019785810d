"""Fixtures for the Bot API stand-in: a started server, raw HTTP calls, a PTB echo bot."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from PIL import Image
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from sandbox.botapi import BotApiServer, ManualClock

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture
async def server(clock: ManualClock):
    server = BotApiServer(TOKEN, clock=clock)
    await server.start()
    yield server
    await server.stop()


class Api:
    """Calls Bot API methods over HTTP and returns (status, body)."""

    def __init__(self, session: aiohttp.ClientSession, server: BotApiServer) -> None:
        self.session = session
        self.server = server

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.server.base_url}{TOKEN}/{method}", json=params) as r:
            return r.status, await r.json()

    async def form(self, method: str, data: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.server.base_url}{TOKEN}/{method}", data=data) as r:
            return r.status, await r.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


@pytest_asyncio.fixture
async def api(server: BotApiServer):
    async with aiohttp.ClientSession() as session:
        yield Api(session, server)


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text back."""
    await update.effective_message.reply_text(update.effective_message.text)


async def answer_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button press with its data."""
    await update.callback_query.answer(f"pressed {update.callback_query.data}")


def build_application(server: BotApiServer) -> Application:
    return (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )


@pytest_asyncio.fixture
async def echo_bot(server: BotApiServer):
    application = build_application(server)
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(answer_press))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=10)
        server.attach_application(application)
        yield application
        await application.updater.stop()
        await application.stop()
