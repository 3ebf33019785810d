"""The Bot API stand-in: an aiohttp app that answers like api.telegram.org.

`BotApiServer` holds the state of one bot and its private chats, serves
`/bot<token>/<method>` and `/file/bot<token>/<file_path>`, queues updates for
getUpdates (long polling wakes at once) or POSTs them to a webhook, enforces
Telegram's rules and flood limits, and publishes every bot action to subscribers
(the driver in tests, the browser sandbox page).

The class is assembled from one mixin per concern, each in its own module:
`api_updates` (getUpdates, webhook), `api_profile` (getMe, commands, names),
`api_messages` (send, edit, delete, chat actions, callback answers, and the
helpers the others share), `api_files` (photos, documents, getFile), `api_payments`
(invoices, pre-checkout, Stars) and `limits.FloodChecks` (flood limits). This
module keeps the state, the lifecycle, the driver's side and the HTTP routing;
a method is any `_api_<name>` of the assembled class. A new concern (group
chats, forum topics) is a module and a mixin of its own.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from . import errors, events, groups
from .api_files import FileMethods, _image_size
from .api_messages import CHAT_ACTIONS, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, MessageMethods  # noqa: F401
from .api_payments import MAX_INVOICE_PAYLOAD_BYTES, TEST_CARD_PROVIDER_TOKEN, PaymentMethods  # noqa: F401
from .api_profile import ProfileMethods
from .api_updates import (  # noqa: F401  (PendingUpdate, Webhook: the driver and tests read them here)
    DEFAULT_UPDATE_KINDS,
    PendingUpdate,
    UpdateMethods,
    Webhook,
    _Described,
    _update_chat_id,
)
from .errors import ApiError
from .events import BotEvent
from .limits import FloodChecks, FloodControl, RateLimits
from .params import Params
from .state import CallbackQuery, Invoice, Message, Payment, PreCheckout, StoredFile, User

if TYPE_CHECKING:
    from .driver import ChatUser

log = logging.getLogger(__name__)


@dataclass
class _Subscription:
    chat_id: int | None
    queue: asyncio.Queue[BotEvent] = field(default_factory=asyncio.Queue)


class BotApiServer(UpdateMethods, ProfileMethods, MessageMethods, FileMethods, PaymentMethods, FloodChecks):
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
        self.groups: dict[int, groups.Group] = {}  # group chats (groups.py)
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
        self._methods.update(groups.api_methods(self))
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



def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)
