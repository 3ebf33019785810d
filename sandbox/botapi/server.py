"""The Bot API stand-in: an aiohttp app that answers like api.telegram.org.

`BotApiServer` holds the state of one bot and its private chats, serves
`/bot<token>/<method>` and `/file/bot<token>/<file_path>`, queues updates for
getUpdates (long polling wakes at once) or POSTs them to a webhook, enforces
Telegram's rules and flood limits, and publishes every bot action to subscribers
(the driver in tests, the browser sandbox page).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from . import errors, events
from .entities import format_text
from .errors import ApiError, bad_request, forbidden
from .events import BotEvent
from .limits import FloodControl, RateLimits
from .markup import parse_reply_markup
from .params import Params, UploadedFile
from .state import CallbackQuery, Invoice, Message, Payment, PreCheckout, StoredFile, User

if TYPE_CHECKING:
    from .driver import ChatUser

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_INVOICE_PAYLOAD_BYTES = 128
# Update kinds Telegram sends when allowed_updates is empty or was never set.
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
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANGUAGE_CODE = re.compile(r"^([a-z]{2})?$")


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


@dataclass
class _Subscription:
    chat_id: int | None
    queue: asyncio.Queue[BotEvent] = field(default_factory=asyncio.Queue)


# The test card provider: card invoices with this token are paid with a sandbox card (the
# page's Pay button); no money moves. Telegram's own test tokens have the same form.
TEST_CARD_PROVIDER_TOKEN = "1000000000:TEST:cccp-sandbox-card"

class BotApiServer:
    """One bot's Bot API: state, HTTP app, update queue, flood limits and event feed."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        limits: RateLimits | None = None,
        bot_first_name: str = "CCCP Sandbox",
        bot_username: str = "cccp_sandbox_bot",
        callback_answer_timeout_s: float = 15.0,
        settle_quiet_s: float = 0.05,
        settle_timeout_s: float = 10.0,
        webhook_retry_s: float = 0.2,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.clock = clock
        self.wall_clock = wall_clock
        self.flood = FloodControl(limits or RateLimits(), clock)
        self.callback_answer_timeout_s = callback_answer_timeout_s
        self.settle_quiet_s = settle_quiet_s
        self.settle_timeout_s = settle_timeout_s
        self.webhook_retry_s = webhook_retry_s
        # Awaited by the driver after an update is fetched, e.g. the bot's update_queue.join.
        self.idle_probe: Callable[[], Awaitable[Any]] | None = None

        self.users: dict[int, User] = {}
        self.messages: dict[int, dict[int, Message]] = {}
        self.reply_keyboards: dict[int, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.invoices: dict[tuple[int, int], Invoice] = {}
        self.pre_checkouts: dict[str, PreCheckout] = {}
        self.payments: dict[str, Payment] = {}
        # getStarTransactions, oldest first: (payment, is_refund, unix time)
        self.star_transactions: list[tuple[Payment, bool, int]] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.profile: dict[tuple[str, str], str] = {}
        self.calls: deque[tuple[str, dict[str, Any]]] = deque(maxlen=10_000)
        self.webhook: Webhook | None = None

        self._user_ids = itertools.count(10_001)
        self._file_numbers = itertools.count(1)
        self._query_numbers = itertools.count(1)
        self._charge_numbers = itertools.count(1)
        self._last_update_id = 0
        self._pending: list[PendingUpdate] = []
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_KINDS
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self._subscriptions: list[_Subscription] = []
        self._listeners: list[Callable[[BotEvent], None]] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_kick = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._is_closing = False
        self.url = ""

        self._methods = {
            name.removeprefix("_api_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self.app.on_cleanup.append(self._on_cleanup)

    # ---- lifecycle -------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns and sets `url`."""
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # noqa: SLF001
        bound_port = sockets[0].getsockname()[1] if sockets else port
        self.url = f"http://{host}:{bound_port}"
        return self.url

    def mount(self, app: web.Application, url: str = "") -> None:
        """Serve this Bot API from another aiohttp app (one port for the sandbox's page,
        web app and Bot API); `url` is where that app listens (set `url` later when the
        port is picked at start). stop() then only closes long polls and webhook
        delivery; the other app's runner closes the port."""
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.on_shutdown.append(self._on_cleanup)
        self.url = url.rstrip("/")

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook delivery and close the HTTP server."""
        self._is_closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        else:
            await self._on_cleanup(self.app)

    async def _on_cleanup(self, _app: web.Application) -> None:
        self._is_closing = True
        self._wake_pollers()
        await self._stop_webhook_delivery()
        if self._http is not None:
            await self._http.close()
            self._http = None

    @property
    def base_url(self) -> str:
        """What to give PTB's ApplicationBuilder.base_url."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def attach_application(self, application: Any) -> None:
        """Let the driver know when a python-telegram-bot Application has finished an update."""
        self.idle_probe = application.update_queue.join
        self.settle_quiet_s = 0.005

    # ---- people and updates (the driver's side) ---------------------------------------

    def user(
        self,
        first_name: str,
        *,
        language_code: str | None = "en",
        last_name: str | None = None,
        username: str | None = None,
        think_time_s: float = 1.0,
        user_id: int | None = None,
    ) -> ChatUser:
        """A new person with a private chat with the bot; see driver.ChatUser.

        `user_id` fixes the Telegram id (the sandbox's people keep theirs across restarts,
        so the database still knows them); by default ids count up from 10001."""
        from .driver import ChatUser

        if user_id is not None and user_id in self.users:
            raise ValueError(f"user {user_id} exists already")
        user = User(
            id=next(self._user_ids) if user_id is None else user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user.id] = user
        self.messages[user.id] = {}
        return ChatUser(self, user, think_time_s=think_time_s)

    def queue_update(self, body: dict[str, Any], *, update_id: int | None = None) -> PendingUpdate:
        """Queue an update (body without update_id); the same update_id again is a redelivery."""
        if update_id is None:
            update_id = self._last_update_id + 1
        self._last_update_id = max(self._last_update_id, update_id)
        pending = PendingUpdate(
            update={"update_id": update_id, **body},
            fetched=asyncio.get_running_loop().create_future(),
        )
        chat_id = _update_chat_id(pending.update)
        allowed = self.webhook.allowed_updates if self.webhook and self.webhook.allowed_updates else None
        kinds = frozenset(allowed) if allowed else self._allowed_updates
        if pending.kind not in kinds:
            pending.fetched.set_result(False)
            return pending
        self._pending.append(pending)
        self._publish(events.UPDATE_QUEUED, chat_id, {"update": pending.update})
        self._wake_pollers()
        self._webhook_kick.set()
        return pending

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [p.update for p in self._pending]

    def add_user_message(self, user: User, **fields: Any) -> Message:
        """Record a message the person sends (text, photo, successful_payment...)."""
        user.has_started = True
        return self._add_message(user, is_from_bot=False, **fields)

    def store_file(
        self, data: bytes, *, kind: str, mime_type: str, file_name: str | None = None
    ) -> StoredFile:
        number = next(self._file_numbers)
        folder, extension = {
            "photo": ("photos", ".jpg"),
            "document": ("documents", ""),
        }[kind]
        if kind == "document" and file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"{'AgAC' if kind == 'photo' else 'BQAC'}{number:06d}{secrets.token_hex(8)}",
            file_unique_id=f"AQAD{number:06d}{secrets.token_hex(3)}",
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        if kind == "photo":
            stored.width, stored.height = _image_size(data)
        self.files[stored.file_id] = stored
        return stored

    def new_callback_query(self, user: User, message: Message, data: str) -> CallbackQuery:
        query = CallbackQuery(
            id=f"{user.id}{next(self._query_numbers):08d}",
            user_id=user.id,
            message_id=message.message_id,
            data=data,
            created_at=self.clock(),
        )
        self.callback_queries[query.id] = query
        return query

    def new_pre_checkout(self, user: User, invoice: Invoice) -> PreCheckout:
        query = PreCheckout(
            id=f"{user.id}{next(self._query_numbers):08d}",
            user_id=user.id,
            invoice=invoice,
            created_at=self.clock(),
        )
        self.pre_checkouts[query.id] = query
        return query

    def record_payment(self, user: User, invoice: Invoice) -> Payment:
        number = next(self._charge_numbers)
        is_stars = invoice.currency == "XTR"
        payment = Payment(
            telegram_payment_charge_id=f"{'stx' if is_stars else 'tg'}{number:08d}{secrets.token_hex(12)}",
            provider_payment_charge_id="" if is_stars else f"prov_{number:08d}",
            user_id=user.id,
            currency=invoice.currency,
            total_amount=invoice.total_amount,
            invoice_payload=invoice.payload,
        )
        self.payments[payment.telegram_payment_charge_id] = payment
        if is_stars:
            self.star_transactions.append((payment, False, self._now()))
        return payment

    # ---- observers ----------------------------------------------------------------------

    def subscribe(self, chat_id: int | None = None) -> asyncio.Queue[BotEvent]:
        """A queue of every event (or one chat's events) from now on; unsubscribe when done."""
        subscription = _Subscription(chat_id)
        self._subscriptions.append(subscription)
        return subscription.queue

    def unsubscribe(self, queue: asyncio.Queue[BotEvent]) -> None:
        self._subscriptions = [s for s in self._subscriptions if s.queue is not queue]

    def add_listener(self, callback: Callable[[BotEvent], None]) -> None:
        """Call `callback(event)` synchronously for every event."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[BotEvent], None]) -> None:
        self._listeners.remove(callback)

    def _publish(
        self,
        kind: str,
        chat_id: int | None,
        data: dict[str, Any] | None = None,
        message: Message | None = None,
    ) -> None:
        if message is not None:
            data = {"message": message.snapshot(), **(data or {})}
        event = BotEvent(kind, chat_id, data or {}, message)
        for subscription in self._subscriptions:
            if subscription.chat_id is None or subscription.chat_id == chat_id:
                subscription.queue.put_nowait(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %s", kind)

    # ---- HTTP ---------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(errors.unauthorized().payload(), 401)
        name = request.match_info["method"]
        handler = self._methods.get(name.lower())
        if handler is None:
            return _json(errors.not_found().payload(), 404)
        try:
            params = await Params.from_request(request)
            self.calls.append((name, dict(params.values)))
            result = await handler(params)
        except ApiError as error:
            return _json(error.payload(), error.error_code)
        if isinstance(result, _Described):
            return _json({"ok": True, "result": result.result, "description": result.description})
        return _json({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(errors.unauthorized().payload(), 401)
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if stored is None:
            return _json(errors.not_found().payload(), 404)
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # ---- helpers for methods ------------------------------------------------------------

    def _now(self) -> int:
        return int(self.wall_clock())

    def _chat(self, params: Params, name: str = "chat_id") -> User:
        raw = params.values.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request(errors.CHAT_NOT_FOUND) from None
        user = self.users.get(chat_id)
        if user is None:
            raise bad_request(errors.CHAT_NOT_FOUND)
        return user

    def _chat_to_write(self, params: Params) -> User:
        user = self._chat(params)
        if user.is_blocked:
            raise forbidden("bot was blocked by the user")
        if not user.has_started:
            raise forbidden("bot can't initiate conversation with a user")
        return user

    def _check_flood(self, chat_id: int) -> None:
        retry_after_s = self.flood.retry_after_s(chat_id)
        if retry_after_s is not None:
            self._publish(events.RATE_LIMITED, chat_id, {"retry_after": retry_after_s})
            raise errors.too_many_requests(retry_after_s)
        self.flood.record(chat_id)

    def _add_message(self, user: User, *, is_from_bot: bool, **fields: Any) -> Message:
        chat = self.messages.setdefault(user.id, {})
        message = Message(
            message_id=max(chat, default=0) + 1,
            chat=user.chat_api(),
            sender=self.bot_user if is_from_bot else user.to_api(),
            date=self._now(),
            is_from_bot=is_from_bot,
            **fields,
        )
        chat[message.message_id] = message
        return message

    def _message(self, user: User, params: Params, not_found: str) -> Message:
        if params.has("inline_message_id") and not params.has("message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message_id = params.int("message_id", error=not_found)
        message = self.messages.get(user.id, {}).get(message_id or 0)
        if message is None or message.is_deleted:
            raise bad_request(not_found)
        return message

    def _bot_message_to_edit(self, user: User, params: Params) -> Message:
        message = self._message(user, params, errors.EDIT_NOT_FOUND)
        if not message.is_from_bot:
            raise bad_request("message can't be edited")
        return message

    def _reply_to(self, user: User, params: Params) -> int | None:
        reply = params.json("reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if message_id is None:
            message_id = params.int("reply_to_message_id")
            allow = params.bool("allow_sending_without_reply")
        else:
            allow = bool(reply.get("allow_sending_without_reply"))
        if message_id is None:
            return None
        target = self.messages.get(user.id, {}).get(int(message_id))
        if target is None or target.is_deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _text(self, params: Params) -> tuple[str, list[dict[str, Any]]]:
        text, entities = format_text(params.str("text"), params.str("parse_mode"), params.json("entities"))
        if not text.strip():
            raise bad_request(errors.TEXT_EMPTY)
        if len(text) > MAX_TEXT_LENGTH:
            raise bad_request(errors.MESSAGE_TOO_LONG)
        return text, entities

    def _caption(self, params: Params) -> tuple[str | None, list[dict[str, Any]]]:
        caption, entities = format_text(
            params.str("caption"), params.str("parse_mode"), params.json("caption_entities")
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request(errors.CAPTION_TOO_LONG)
        return (caption or None), entities

    def _markup(self, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = parse_reply_markup(params.values.get("reply_markup"))
        if inline_only and markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return markup

    def _remember_keyboard(self, user: User, markup: dict[str, Any] | None) -> None:
        if markup is None:
            return
        if "keyboard" in markup:
            self.reply_keyboards[user.id] = markup
        elif markup.get("remove_keyboard"):
            self.reply_keyboards.pop(user.id, None)

    def _send(self, user: User, params: Params, kind: str = events.MESSAGE_SENT, **fields: Any) -> dict[str, Any]:
        markup = self._markup(params)
        reply_to = self._reply_to(user, params)
        self._check_flood(user.id)
        message = self._add_message(
            user, is_from_bot=True, reply_markup=markup, reply_to_message_id=reply_to, **fields
        )
        self._remember_keyboard(user, markup)
        self._publish(kind, user.id, message=message)
        return message.to_api()

    def _edit(self, message: Message, **changes: Any) -> dict[str, Any]:
        before = message.content_key()
        after = dict(zip(("text", "entities", "caption", "caption_entities", "reply_markup"), before, strict=True))
        after.update(changes)
        if tuple(after.values()) == before:
            raise bad_request(errors.NOT_MODIFIED)
        message.history.append(message.snapshot())
        for name, value in changes.items():
            setattr(message, name, value)
        message.edit_date = self._now()
        self._publish(events.MESSAGE_EDITED, message.chat_id, message=message)
        return message.to_api()

    async def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        upload = params.file(name)
        if upload is not None:
            return self._store_upload(upload, kind)
        reference = params.str(name)
        if not reference:
            raise bad_request(f"there is no {name} in the request")
        if reference in self.files:
            return self.files[reference]
        if reference.startswith(("http://", "https://")):
            data, content_type = await self._fetch(reference)
            name_in_url = reference.rsplit("/", 1)[-1] or name
            return self._store_upload(UploadedFile(name_in_url, content_type, data), kind)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_upload(self, upload: UploadedFile, kind: str) -> StoredFile:
        if kind == "photo":
            mime_type = upload.content_type if upload.content_type.startswith("image/") else "image/jpeg"
        else:
            mime_type = upload.content_type
        return self.store_file(upload.data, kind=kind, mime_type=mime_type, file_name=upload.filename)

    async def _fetch(self, url: str) -> tuple[bytes, str]:
        try:
            async with self._client().get(url, timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status != 200:
                    raise bad_request("failed to get HTTP URL content")
                return await response.read(), response.content_type
        except (aiohttp.ClientError, TimeoutError):
            raise bad_request("failed to get HTTP URL content") from None

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return self._http

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

    # ---- bot identity and settings --------------------------------------------------------

    async def _api_getMe(self, params: Params) -> dict[str, Any]:
        return self.bot_user

    async def _api_logOut(self, params: Params) -> bool:
        return True

    async def _api_close(self, params: Params) -> bool:
        return True

    async def _api_setMyCommands(self, params: Params) -> bool:
        commands = params.json("commands", error="can't parse commands JSON object")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params)
        self.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _api_getMyCommands(self, params: Params) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(params), [])

    async def _api_deleteMyCommands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        language_code = params.str("language_code") or ""
        if not _LANGUAGE_CODE.match(language_code):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language_code

    def commands_for(self, language_code: str = "", scope: dict[str, Any] | None = None) -> list[dict[str, str]]:
        """The commands set for a scope (default: all private chats) and language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.commands.get((key, language_code), [])

    async def _api_setChatMenuButton(self, params: Params) -> bool:
        chat_id = self._chat(params).id if params.has("chat_id") else None
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    async def _api_getChatMenuButton(self, params: Params) -> dict[str, Any]:
        chat_id = self._chat(params).id if params.has("chat_id") else None
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "default"}))

    async def _api_setMyName(self, params: Params) -> bool:
        return self._set_profile("name", params)

    async def _api_getMyName(self, params: Params) -> dict[str, str]:
        return {"name": self._get_profile("name", params) or self.bot_user["first_name"]}

    async def _api_setMyDescription(self, params: Params) -> bool:
        return self._set_profile("description", params)

    async def _api_getMyDescription(self, params: Params) -> dict[str, str]:
        return {"description": self._get_profile("description", params)}

    async def _api_setMyShortDescription(self, params: Params) -> bool:
        return self._set_profile("short_description", params)

    async def _api_getMyShortDescription(self, params: Params) -> dict[str, str]:
        return {"short_description": self._get_profile("short_description", params)}

    def _set_profile(self, field_name: str, params: Params) -> bool:
        self.profile[(field_name, params.str("language_code") or "")] = params.str(field_name) or ""
        return True

    def _get_profile(self, field_name: str, params: Params) -> str:
        return self.profile.get((field_name, params.str("language_code") or ""), "")

    async def _api_getChat(self, params: Params) -> dict[str, Any]:
        user = self._chat(params)
        return {**user.chat_api(), "accent_color_id": 0, "max_reaction_count": 11}

    # ---- messages ------------------------------------------------------------------------

    async def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        text, entities = self._text(params)
        return self._send(user, params, text=text, entities=entities)

    async def _api_editMessageText(self, params: Params) -> dict[str, Any]:
        user = self._chat(params)
        message = self._bot_message_to_edit(user, params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(params)
        markup = self._markup(params, inline_only=True)
        return self._edit(message, text=text, entities=entities, reply_markup=markup)

    async def _api_editMessageCaption(self, params: Params) -> dict[str, Any]:
        user = self._chat(params)
        message = self._bot_message_to_edit(user, params)
        if message.text is not None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._markup(params, inline_only=True)
        return self._edit(message, caption=caption, caption_entities=entities, reply_markup=markup)

    async def _api_editMessageReplyMarkup(self, params: Params) -> dict[str, Any]:
        user = self._chat(params)
        message = self._bot_message_to_edit(user, params)
        return self._edit(message, reply_markup=self._markup(params, inline_only=True))

    async def _api_deleteMessage(self, params: Params) -> bool:
        user = self._chat(params)
        message = self._message(user, params, errors.DELETE_NOT_FOUND)
        self._delete(message)
        return True

    async def _api_deleteMessages(self, params: Params) -> bool:
        user = self._chat(params)
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            message = self.messages.get(user.id, {}).get(int(message_id))
            if message is not None and not message.is_deleted:
                self._delete(message)
        return True

    def _delete(self, message: Message) -> None:
        message.is_deleted = True
        self._publish(
            events.MESSAGE_DELETED, message.chat_id, {"message_id": message.message_id}, message
        )

    async def _api_sendChatAction(self, params: Params) -> bool:
        user = self._chat_to_write(params)
        action = params.str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._publish(events.CHAT_ACTION, user.id, {"action": action})
        return True

    async def _api_answerCallbackQuery(self, params: Params) -> bool:
        query = self.callback_queries.get(params.str("callback_query_id") or "")
        if (
            query is None
            or query.answer is not None
            or self.clock() - query.created_at > self.callback_answer_timeout_s
        ):
            raise bad_request(errors.QUERY_TOO_OLD)
        text = params.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = {
            "callback_query_id": query.id,
            "text": text,
            "show_alert": params.bool("show_alert"),
            "url": params.str("url"),
            "cache_time": params.int("cache_time", 0),
        }
        self._publish(events.CALLBACK_ANSWERED, query.user_id, dict(query.answer))
        return True

    # ---- files ---------------------------------------------------------------------------

    async def _api_sendPhoto(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        caption, entities = self._caption(params)
        stored = await self._input_file(params, "photo", "photo")
        return self._send(
            user, params, photo=[_photo_size(stored)], caption=caption, caption_entities=entities
        )

    async def _api_sendDocument(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        caption, entities = self._caption(params)
        stored = await self._input_file(params, "document", "document")
        return self._send(
            user, params, document=_document(stored), caption=caption, caption_entities=entities
        )

    async def _api_getFile(self, params: Params) -> dict[str, Any]:
        stored = self.files.get(params.str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_api()

    # ---- payments ------------------------------------------------------------------------

    async def _api_sendInvoice(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        title = params.str("title") or ""
        description = params.str("description") or ""
        payload = params.str("payload") or ""
        currency = params.str("currency") or ""
        provider_token = params.str("provider_token") or ""
        prices = params.json("prices", error="can't parse prices JSON object")
        if not 1 <= len(title) <= 32:
            raise bad_request("TITLE_INVALID" if title else "parameter \"title\" is required")
        if not 1 <= len(description) <= 255:
            raise bad_request("DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= MAX_INVOICE_PAYLOAD_BYTES:
            raise bad_request("INVOICE_PAYLOAD_INVALID")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise bad_request("CURRENCY_INVALID")
        if not isinstance(prices, list) or not prices or not all(
            isinstance(p, dict) and isinstance(p.get("label"), str) and str(p.get("amount", "")).lstrip("-").isdigit()
            for p in prices
        ):
            raise bad_request("can't parse prices JSON object")
        if currency == "XTR":
            # Stars: no payment provider, exactly one price, no tips.
            if provider_token:
                raise bad_request("PAYMENT_PROVIDER_INVALID")
            if len(prices) != 1 or params.int("max_tip_amount", 0):
                raise bad_request("STARS_INVOICE_INVALID")
        elif ":TEST:" not in provider_token:
            # Only test providers here: Telegram's test tokens read "<id>:TEST:<secret>", as
            # TEST_CARD_PROVIDER_TOKEN does; a live token is refused, as no money can move.
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        elif params.bool("need_shipping_address", False) or params.bool("is_flexible", False):
            raise bad_request("this test card provider sells nothing that ships")
        invoice = Invoice(
            chat_id=user.id,
            message_id=0,
            title=title,
            description=description,
            payload=payload,
            provider_token=provider_token,
            currency=currency,
            prices=[{"label": p["label"], "amount": int(p["amount"])} for p in prices],
        )
        if invoice.total_amount <= 0:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
        public = {
            "title": title,
            "description": description,
            "start_parameter": params.str("start_parameter") or "",
            "currency": currency,
            "total_amount": invoice.total_amount,
        }
        result = self._send(user, params, events.INVOICE_SENT, invoice=public)
        invoice.message_id = result["message_id"]
        self.invoices[(user.id, invoice.message_id)] = invoice
        return result

    async def _api_answerPreCheckoutQuery(self, params: Params) -> bool:
        query = self.pre_checkouts.get(params.str("pre_checkout_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(errors.QUERY_TOO_OLD)
        is_ok = params.bool("ok")
        error_message = params.str("error_message")
        if not is_ok and not error_message:
            raise bad_request("ERROR_MESSAGE_EMPTY")
        query.answer = {"pre_checkout_query_id": query.id, "ok": is_ok, "error_message": error_message}
        self._publish(events.PRE_CHECKOUT_ANSWERED, query.user_id, dict(query.answer))
        return True

    async def _api_refundStarPayment(self, params: Params) -> bool:
        user_id = params.int("user_id", error="USER_ID_INVALID")
        if user_id not in self.users:
            raise bad_request("USER_ID_INVALID")
        payment = self.payments.get(params.str("telegram_payment_charge_id") or "")
        if payment is None or payment.user_id != user_id or payment.currency != "XTR":
            raise bad_request("CHARGE_NOT_FOUND")
        if payment.is_refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        payment.is_refunded = True
        self.star_transactions.append((payment, True, self._now()))
        self._publish(
            events.REFUND,
            user_id,
            {
                "telegram_payment_charge_id": payment.telegram_payment_charge_id,
                "currency": payment.currency,
                "total_amount": payment.total_amount,
                "invoice_payload": payment.invoice_payload,
            },
        )
        return True


    async def _api_getStarTransactions(self, params: Params) -> dict[str, Any]:
        """The bot's Stars transactions in chronological order: payments in, refunds out."""
        offset = max(params.int("offset", 0) or 0, 0)
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        transactions = []
        for payment, is_refund, date in self.star_transactions[offset:offset + limit]:
            user = self.users.get(payment.user_id)
            partner = {"type": "user", "transaction_type": "invoice_payment",
                       "user": user.to_api() if user else {"id": payment.user_id, "is_bot": False, "first_name": "?"}}
            if not is_refund:
                partner["invoice_payload"] = payment.invoice_payload
            transactions.append({
                "id": payment.telegram_payment_charge_id, "amount": payment.total_amount, "date": date,
                ("receiver" if is_refund else "source"): partner,
            })
        return {"transactions": transactions}


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


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


def _image_size(data: bytes) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None


def _photo_size(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width or 0,
        "height": stored.height or 0,
        "file_size": len(stored.data),
    }


def _document(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "mime_type": stored.mime_type,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    return data
