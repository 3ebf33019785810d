"""The stand-in's update delivery: getUpdates (long polling) and the webhook."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from . import errors
from .errors import ApiError, bad_request
from .params import Params

DEFAULT_UPDATE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass
class PendingUpdate:
    """An update waiting to be fetched; `fetched` resolves True once the bot confirmed it
    (a later getUpdates offset, or a 2xx from the webhook), False if it was dropped."""

    update: dict[str, Any]
    fetched: asyncio.Future[bool]
    is_delivered: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Described:
    """A result that Telegram answers with a "description" beside it."""

    result: Any
    description: str


class UpdateMethods:
    """getUpdates and the webhook: how updates reach the bot (a BotApiServer mixin)."""

    # ---- getting updates ----------------------------------------------------------------

    def _wake_pollers(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _confirm(self, offset: int) -> None:
        """Forget updates the bot has seen and acknowledged with a higher offset."""
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            keep = self._pending[offset:] if -offset <= len(self._pending) else self._pending
            dropped = [p for p in self._pending if p not in keep]
        else:
            dropped = [p for p in self._pending if p.is_delivered and p.update_id < offset]
        for pending in dropped:
            self._pending.remove(pending)
            if not pending.fetched.done():
                pending.fetched.set_result(True)

    async def _api_getUpdates(self, params: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, errors.WEBHOOK_CONFLICT)
        offset = params.int("offset", 0) or 0
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        timeout_s = max(params.float("timeout", 0.0) or 0.0, 0.0)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) or DEFAULT_UPDATE_KINDS
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll is answered with 409, as Telegram does
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            ready = sorted(
                (p for p in self._pending if p.kind in self._allowed_updates),
                key=lambda p: p.update_id,
            )[:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._is_closing:
                break
            wakeup = self._wakeup
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except TimeoutError:
                pass
            if generation != self._poll_generation:
                raise ApiError(409, errors.POLLING_CONFLICT)
        for pending in ready:
            pending.is_delivered = True
        return [p.update for p in ready]

    async def _api_setWebhook(self, params: Params) -> _Described:
        url = params.str("url") or ""
        if not url:
            return await self._api_deleteWebhook(params)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.str("secret_token")
        if secret is not None and not _SECRET_TOKEN.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json("allowed_updates")
        if params.bool("drop_pending_updates"):
            self._drop_pending()
        is_same = self.webhook is not None and self.webhook.url == url
        self.webhook = Webhook(
            url=url,
            secret_token=secret,
            max_connections=params.int("max_connections", 40) or 40,
            allowed_updates=allowed if isinstance(allowed, list) and allowed else None,
        )
        self._wake_pollers()
        self._start_webhook_delivery()
        return _Described(True, "Webhook is already set" if is_same else "Webhook was set")

    async def _api_deleteWebhook(self, params: Params) -> _Described:
        if params.bool("drop_pending_updates"):
            self._drop_pending()
        was_set = self.webhook is not None
        self.webhook = None
        await self._stop_webhook_delivery()
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def _api_getWebhookInfo(self, params: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates:
                info["allowed_updates"] = self.webhook.allowed_updates
            if self.webhook.last_error_date:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    def _drop_pending(self) -> None:
        for pending in self._pending:
            if not pending.fetched.done():
                pending.fetched.set_result(False)
        self._pending.clear()

    def _start_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_to_webhook())
        self._webhook_kick.set()

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _deliver_to_webhook(self) -> None:
        """POST pending updates one at a time, in update_id order; retry until a 2xx."""
        while self.webhook is not None and not self._is_closing:
            if not self._pending:
                self._webhook_kick.clear()
                await self._webhook_kick.wait()
                continue
            pending = min(self._pending, key=lambda p: p.update_id)
            webhook = self.webhook
            headers = {"Content-Type": "application/json"}
            if webhook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
            try:
                async with self._client().post(
                    webhook.url,
                    data=json.dumps(pending.update),
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=60),
                ) as response:
                    is_ok = 200 <= response.status < 300
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                is_ok, error = False, f"Connection failed: {exc.__class__.__name__}"
            if is_ok:
                if pending in self._pending:
                    self._pending.remove(pending)
                if not pending.fetched.done():
                    pending.fetched.set_result(True)
                continue
            webhook.last_error_date = self._now()
            webhook.last_error_message = error
            await asyncio.sleep(self.webhook_retry_s)



def _update_chat_id(update: dict[str, Any]) -> int | None:
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        if "chat" in value:
            return value["chat"]["id"]
        if "message" in value and isinstance(value["message"], dict):
            return value["message"]["chat"]["id"]
        if "from" in value:
            return value["from"]["id"]
    return None
