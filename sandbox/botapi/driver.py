"""Act as people in private chats with the bot, against a BotApiServer in the same process.

A step (send, press, send_photo, pay) queues one update and returns once the bot's
reaction has settled: the update was fetched (a later getUpdates offset or a 2xx from
the webhook confirms it), the server's idle probe (e.g. the PTB Application's
update_queue.join) returned, and no bot call for the chat arrived for a short quiet
window. A step that does not settle within the server's settle_timeout_s raises
SettleTimeout, naming what it waited for.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import events
from .events import BotEvent
from .markup import inline_buttons
from .state import Message, Payment, User

if TYPE_CHECKING:
    from .server import BotApiServer, PendingUpdate

_chat_instances = itertools.count(4_000_000_000_000_000_001)


class DriverError(AssertionError):
    """A step the person could not take (no such button, no invoice...)."""


class SettleTimeout(DriverError):
    """The bot did not fetch or finish an update in time."""


@dataclass
class Reply:
    """What the bot did in the chat during one step."""

    events: list[BotEvent] = field(default_factory=list)

    @property
    def messages(self) -> list[Message]:
        """Messages (and invoices) the bot sent, in order."""
        return [
            e.message for e in self.events if e.kind in (events.MESSAGE_SENT, events.INVOICE_SENT)
        ]

    @property
    def edited(self) -> list[Message]:
        return [e.message for e in self.events if e.kind == events.MESSAGE_EDITED]

    @property
    def deleted(self) -> list[int]:
        return [e.data["message_id"] for e in self.events if e.kind == events.MESSAGE_DELETED]

    @property
    def callback_answer(self) -> dict[str, Any] | None:
        answers = [e.data for e in self.events if e.kind == events.CALLBACK_ANSWERED]
        return answers[-1] if answers else None

    @property
    def last(self) -> Message | None:
        """The last message sent, else the last one edited."""
        changed = [
            e.message
            for e in self.events
            if e.kind in (events.MESSAGE_SENT, events.INVOICE_SENT, events.MESSAGE_EDITED)
        ]
        return changed[-1] if changed else None

    @property
    def text(self) -> str | None:
        """Text (or caption) of `last`."""
        last = self.last
        return None if last is None else (last.text if last.text is not None else last.caption)

    @property
    def texts(self) -> list[str]:
        return [m.text if m.text is not None else (m.caption or "") for m in self.messages]


@dataclass
class PaymentOutcome:
    """How pay() ended: paid (with its charge id) or refused at pre-checkout."""

    is_paid: bool
    error_message: str | None = None
    payment: Payment | None = None
    pre_checkout: Reply | None = None
    reply: Reply | None = None

    @property
    def telegram_payment_charge_id(self) -> str | None:
        return self.payment.telegram_payment_charge_id if self.payment else None


class ChatUser:
    """One person in a private chat with the bot. Create with `server.user(...)`."""

    def __init__(self, server: BotApiServer, user: User, *, think_time_s: float = 1.0) -> None:
        self.server = server
        self.user = user
        # A person takes a moment between actions; on a ManualClock this keeps the
        # per-chat flood limit as lenient as it is for real people.
        self.think_time_s = think_time_s

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def chat_id(self) -> int:
        return self.user.id

    # ---- what the person sees -------------------------------------------------------

    @property
    def history(self) -> list[Message]:
        """Every message in the chat, the person's and the bot's, not deleted."""
        chat = self.server.messages.get(self.chat_id, {})
        return [chat[i] for i in sorted(chat) if not chat[i].is_deleted]

    @property
    def messages(self) -> list[Message]:
        """The bot's messages as they are now (edits applied, deleted ones gone)."""
        return [m for m in self.history if m.is_from_bot]

    @property
    def last(self) -> Message | None:
        bot_messages = self.messages
        return bot_messages[-1] if bot_messages else None

    @property
    def last_text(self) -> str | None:
        last = self.last
        return None if last is None else (last.text if last.text is not None else last.caption)

    @property
    def last_photo_bytes(self) -> bytes | None:
        for message in reversed(self.messages):
            if message.photo:
                return self.server.files[message.photo[-1]["file_id"]].data
        return None

    @property
    def last_document_bytes(self) -> bytes | None:
        for message in reversed(self.messages):
            if message.document:
                return self.server.files[message.document["file_id"]].data
        return None

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        return self.server.reply_keyboards.get(self.chat_id)

    def keyboard_labels(self, message: Message | None = None) -> list[str]:
        """Button labels of the message's (default: last bot message's) inline keyboard,
        else of the reply keyboard shown under the input field."""
        message = message or self.last
        if message is not None and message.inline_keyboard:
            return [b["text"] for b in inline_buttons(message.reply_markup)]
        if self.reply_keyboard:
            return [b["text"] for row in self.reply_keyboard["keyboard"] for b in row]
        return []

    # ---- what the person does --------------------------------------------------------

    async def send(
        self, text: str, *, update_id: int | None = None, reply_to: Message | int | None = None
    ) -> Reply:
        """Send a text message; "/cmd args" carries a bot_command entity, as Telegram adds."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le", "surrogatepass")) // 2}]
        if reply_to is not None:
            fields["reply_to_message_id"] = reply_to if isinstance(reply_to, int) else reply_to.message_id
        return await self._send_message(update_id=update_id, **fields)

    async def send_photo(
        self, data: bytes, caption: str | None = None, *, update_id: int | None = None
    ) -> Reply:
        """Send a photo (PNG or JPEG bytes) with an optional caption."""
        stored = self.server.store_file(data, kind="photo", mime_type="image/jpeg")
        photo = [{
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": len(data),
        }]
        return await self._send_message(update_id=update_id, photo=photo, caption=caption)

    async def send_sticker(self, emoji: str = "👍", *, update_id: int | None = None) -> Reply:
        """Send a sticker (a bot should answer even what it cannot use)."""
        sticker = {
            "file_id": f"CAACAgIAAxkBAAE{self.user.id}", "file_unique_id": "AgADsticker",
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji,
        }
        return await self._send_message(update_id=update_id, sticker=sticker)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        update_id: int | None = None,
    ) -> Reply:
        stored = self.server.store_file(data, kind="document", mime_type=mime_type, file_name=file_name)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        return await self._send_message(update_id=update_id, document=document, caption=caption)

    async def press(
        self,
        label: str | None = None,
        *,
        data: str | None = None,
        message: Message | None = None,
        update_id: int | None = None,
    ) -> Reply:
        """Press an inline button by label (or callback data) on `message`, or on the newest
        bot message that has it; a reply-keyboard label is sent as text instead."""
        if label is None and data is None:
            raise DriverError("press() needs a label or data")
        found = self._find_button(label, data, message)
        if found is None:
            if label is not None and label in self._reply_keyboard_labels():
                return await self.send(label, update_id=update_id)
            raise DriverError(
                f"{self.user.first_name} sees no button {label or data!r}; "
                f"buttons on the last message: {self.keyboard_labels()}"
            )
        target, button = found
        if "callback_data" not in button:
            raise DriverError(f"button {button['text']!r} is not a callback button: {button}")
        query = self.server.new_callback_query(self.user, target, button["callback_data"])
        body = {
            "callback_query": {
                "id": query.id,
                "from": self.user.to_api(),
                "message": target.to_api(),
                "chat_instance": str(next(_chat_instances)),
                "data": button["callback_data"],
            }
        }
        return await self._step(body, update_id)

    async def pay(
        self, message: Message | None = None, *, update_id: int | None = None,
        on_charged: Callable[[Payment], None] | None = None,
    ) -> PaymentOutcome:
        """Pay the invoice (default: the newest one): pre-checkout, then successful_payment.
        `on_charged` is called once the money is taken, before the bot has answered it."""
        message = message or next((m for m in reversed(self.messages) if m.invoice), None)
        invoice = self.server.invoices.get((self.chat_id, message.message_id)) if message else None
        if invoice is None:
            raise DriverError(f"{self.user.first_name} has no invoice to pay")
        query = self.server.new_pre_checkout(self.user, invoice)
        body = {
            "pre_checkout_query": {
                "id": query.id,
                "from": self.user.to_api(),
                "currency": invoice.currency,
                "total_amount": invoice.total_amount,
                "invoice_payload": invoice.payload,
            }
        }
        pre_checkout = await self._step(body, update_id)
        if query.answer is None:
            raise SettleTimeout(
                f"the bot did not answer pre_checkout_query {query.id} for {invoice.payload!r}"
            )
        if not query.answer["ok"]:
            return PaymentOutcome(False, query.answer["error_message"], pre_checkout=pre_checkout)
        payment = self.server.record_payment(self.user, invoice)
        if on_charged is not None:
            on_charged(payment)
        successful_payment = {
            "currency": payment.currency,
            "total_amount": payment.total_amount,
            "invoice_payload": payment.invoice_payload,
            "telegram_payment_charge_id": payment.telegram_payment_charge_id,
            "provider_payment_charge_id": payment.provider_payment_charge_id,
        }
        reply = await self._send_message(update_id=None, successful_payment=successful_payment, think=False)
        return PaymentOutcome(True, None, payment, pre_checkout, reply)

    async def wait_for(
        self,
        predicate: Callable[[Message], bool],
        timeout: float = 10.0,  # noqa: ASYNC109 - the brief asks for wait_for(..., timeout=)
        *,
        existing: bool = True,
    ) -> Message:
        """The first bot message (sent or edited) that matches, existing ones first."""
        queue = self.server.subscribe(self.chat_id)
        try:
            if existing:
                for message in reversed(self.messages):
                    if predicate(message):
                        return message
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while (remaining := deadline - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(queue.get(), remaining)
                except TimeoutError:
                    break
                if event.message is not None and event.kind != events.MESSAGE_DELETED and predicate(event.message):
                    return event.message
        finally:
            self.server.unsubscribe(queue)
        raise SettleTimeout(
            f"no bot message for {self.user.first_name} matched within {timeout} s; "
            f"last texts: {[m.text or m.caption for m in self.messages[-3:]]}"
        )

    def block(self) -> None:
        """Block the bot: its sends answer 403 "Forbidden: bot was blocked by the user"."""
        self.user.is_blocked = True

    def unblock(self) -> None:
        self.user.is_blocked = False

    # ---- internals -------------------------------------------------------------------

    def _find_button(
        self, label: str | None, data: str | None, message: Message | None
    ) -> tuple[Message, dict[str, Any]] | None:
        candidates = [message] if message is not None else list(reversed(self.messages))
        for wanted_key, wanted in (("text", label), ("callback_data", data), ("callback_data", label)):
            if wanted is None:
                continue
            for candidate in candidates:
                for button in inline_buttons(candidate.reply_markup):
                    if button.get(wanted_key) == wanted:
                        return candidate, button
        return None

    def _reply_keyboard_labels(self) -> list[str]:
        keyboard = self.reply_keyboard
        return [b["text"] for row in keyboard["keyboard"] for b in row] if keyboard else []

    async def _send_message(self, *, update_id: int | None, think: bool = True, **fields: Any) -> Reply:
        fields = {k: v for k, v in fields.items() if v is not None}
        reply_to = fields.pop("reply_to_message_id", None)
        message = self.server.add_user_message(self.user, **fields)
        body = message.to_api()
        if reply_to is not None:
            target = self.server.messages[self.chat_id].get(reply_to)
            if target is not None:
                body["reply_to_message"] = target.to_api()
        return await self._step({"message": body}, update_id, think=think)

    def _think(self) -> None:
        advance = getattr(self.server.clock, "advance", None)
        if advance is not None and self.think_time_s:
            advance(self.think_time_s)

    async def _step(self, body: dict[str, Any], update_id: int | None, *, think: bool = True) -> Reply:
        if think:
            self._think()
        self.user.has_started = True
        server = self.server
        loop = asyncio.get_running_loop()
        deadline = loop.time() + server.settle_timeout_s
        queue = server.subscribe(self.chat_id)
        reply = Reply()
        try:
            pending = server.queue_update(body, update_id=update_id)
            await self._await_fetched(pending, deadline)
            if server.idle_probe is not None:
                try:
                    await asyncio.wait_for(server.idle_probe(), max(deadline - loop.time(), 0))
                except TimeoutError:
                    raise SettleTimeout(
                        f"update {pending.update_id} from {self.user.first_name} was fetched but the "
                        f"bot was still busy after {server.settle_timeout_s} s"
                    ) from None
            await self._await_quiet(queue, reply, deadline)
        finally:
            server.unsubscribe(queue)
        return reply

    async def _await_fetched(self, pending: PendingUpdate, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            is_fetched = await asyncio.wait_for(
                asyncio.shield(pending.fetched), max(deadline - loop.time(), 0)
            )
        except TimeoutError:
            mode = f"webhook {self.server.webhook.url}" if self.server.webhook else "getUpdates"
            raise SettleTimeout(
                f"update {pending.update_id} ({pending.kind}) from {self.user.first_name} was not "
                f"fetched within {self.server.settle_timeout_s} s via {mode}: is the bot running "
                f"against {self.server.url or 'this server'}?"
            ) from None
        if not is_fetched:
            raise DriverError(
                f"update {pending.update_id} ({pending.kind}) was dropped: the bot's "
                f"allowed_updates exclude it, or pending updates were dropped"
            )

    async def _await_quiet(self, queue: asyncio.Queue[BotEvent], reply: Reply, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        quiet_s = self.server.settle_quiet_s
        while True:
            while not queue.empty():
                self._collect(queue.get_nowait(), reply)
            if quiet_s <= 0:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SettleTimeout(
                    f"the bot kept acting in {self.user.first_name}'s chat for "
                    f"{self.server.settle_timeout_s} s"
                )
            try:
                event = await asyncio.wait_for(queue.get(), min(quiet_s, remaining))
            except TimeoutError:
                return
            self._collect(event, reply)

    @staticmethod
    def _collect(event: BotEvent, reply: Reply) -> None:
        if event.is_bot_action:
            reply.events.append(event)
