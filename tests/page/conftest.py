"""A running sandbox page with the toy bot, and a WebSocket client that acts through it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest_asyncio

from .toybot import toy_sandbox


@pytest_asyncio.fixture
async def sandbox():
    async with toy_sandbox() as running:
        yield running


class Tab:
    """One browser tab's live channel: send actions, read what the server streams."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self._ref = 0

    async def act(self, **action: Any) -> dict[str, Any]:
        """Send an action and return its done/error answer."""
        self._ref += 1
        ref = self._ref
        await self.ws.send_json({**action, "ref": ref})
        return await self.next(lambda m: m.get("ref") == ref and m["type"] in ("done", "error"))

    async def next(self, predicate, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        for message in self.seen:
            if predicate(message):
                self.seen.remove(message)
                return message
        async with asyncio.timeout(timeout):
            while True:
                message = await self.ws.receive_json()
                if predicate(message):
                    return message
                self.seen.append(message)

    async def next_of(self, kind: str, **where: Any) -> dict[str, Any]:
        return await self.next(lambda m: m["type"] == kind and all(m.get(k) == v for k, v in where.items()))


@pytest_asyncio.fixture
async def open_tab(sandbox):
    async with aiohttp.ClientSession() as session:
        sockets = []

        async def opener(person: str = "alice") -> Tab:
            ws = await session.ws_connect(f"{sandbox.url}/sandbox/ws?as={person}")
            sockets.append(ws)
            return Tab(ws)

        yield opener
        for ws in sockets:
            await ws.close()
