"""The sandbox chat page: `/sandbox` (HTML, CSS, JS shipped in this package) and its live
channel `/sandbox/ws`, a WebSocket per browser tab.

The tab acts as one of the sandbox's people at a time, in one of their chats: the
private chat with the bot, or a group of the stand-in they are a member of (Support
is in the support group, a forum: the topics the bot opens per ticket, and what it
posts there). The server streams that chat as the Bot API stand-in publishes it
(messages sent, edited, deleted, photos, documents, invoices, callback answers,
typing) and takes the person's actions (send text, press a button, pay an invoice,
send a photo, open a deep link, switch person, open a chat; in a group, write in a
topic or reply to a message). Actions go through the stand-in's driver (`ChatUser`,
`GroupMember` in a group), exactly as the tests drive the bot, so the page shows what
a Telegram user would see. Chats live in the stand-in for the life of the process:
reloading the page shows the history again.

Messages from the server: hello (with the person's chats and the one shown), message,
edited, deleted, keyboard, commands, answer, typing, notice, unread (another person),
unread_chat (another chat of this person), paid, done, error. From the page: switch,
open, send, press, pay, photo, sticker, document, deep_link; each may carry a `ref`
that its done/error echoes. In a group, send and photo may carry `thread_id` (the
topic) and `reply_to` (a message id).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from sandbox.botapi import ApiError, BotApiServer, BotEvent, ChatUser, DriverError, SettleTimeout
from sandbox.botapi import events as kinds
from sandbox.botapi.groups import Group, GroupMember

from .deeplink import DeepLinkError, start_command
from .people import PEOPLE, Person
from .views import message_view

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # what a bot may download (getFile)
MAX_TEXT_LENGTH = 4096
NO_CACHE = {"Cache-Control": "no-cache"}


class SandboxPage:
    """The people, their chats in the stand-in, and the page's routes."""

    def __init__(self, server: BotApiServer, people: tuple[Person, ...] = PEOPLE, *,
                 demo_label: Path | None = None) -> None:
        self.server = server
        self.demo_label = demo_label  # a photo of a demo product code label (cccp seed-demo writes it)
        self.people = {p.slug: p for p in people}
        self.chat_users: dict[str, ChatUser] = {
            p.slug: server.user(
                p.first_name, language_code=p.language_code, user_id=p.user_id, think_time_s=0
            )
            for p in people
        }
        self.paid_invoices: set[tuple[int, int]] = set()
        self._members: dict[tuple[str, int], GroupMember] = {}
        self._locks = {p.slug: asyncio.Lock() for p in people}
        self._sessions: set[_Session] = set()

    @property
    def default_person(self) -> Person:
        return next(iter(self.people.values()))

    def person_for_chat(self, chat_id: int | None) -> Person | None:
        return next((p for p in self.people.values() if p.user_id == chat_id), None)

    def add_routes(self, app: web.Application) -> None:
        """Mount /sandbox, /sandbox/ws and /sandbox/static on the web app."""
        app.router.add_get("/sandbox", self.index)
        app.router.add_get("/sandbox/", self.index)
        app.router.add_get("/sandbox/ws", self.channel)
        app.router.add_get("/sandbox/demo-label.jpg", self.demo_label_photo)
        app.router.add_static("/sandbox/static", STATIC_DIR)
        app.on_shutdown.append(self._close_sessions)

    # ---- HTTP ----------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers=NO_CACHE)

    async def demo_label_photo(self, request: web.Request) -> web.StreamResponse:
        """The demo label photo the page's "Try" list sends to the bot."""
        if self.demo_label is None or not self.demo_label.is_file():
            raise web.HTTPNotFound(text="no demo label: run cccp seed-demo")
        return web.FileResponse(self.demo_label, headers=NO_CACHE)

    async def channel(self, request: web.Request) -> web.StreamResponse:
        if not _is_same_origin(request):
            # Another site's page must not act as Alice in somebody's local sandbox.
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=2 * MAX_PHOTO_BYTES)
        await ws.prepare(request)
        person = self.people.get(request.query.get("as", ""), self.default_person)
        session = _Session(self, ws, person)
        self._sessions.add(session)
        try:
            await session.run()
        finally:
            self._sessions.discard(session)
        return ws

    async def _close_sessions(self, _app: web.Application) -> None:
        for session in list(self._sessions):
            await session.ws.close(code=1001, message=b"server shutting down")

    # ---- what a person sees --------------------------------------------------------------

    def groups_of(self, person: Person) -> list[Group]:
        """The stand-in's groups this person is a member of."""
        return [g for g in self.server.groups.values() if person.user_id in g.member_ids]

    def chats(self, person: Person) -> list[dict[str, Any]]:
        """The person's chats for the page: the bot's first, then their groups with their topics."""
        chats: list[dict[str, Any]] = [{"id": person.user_id, "kind": "private",
                                        "title": self.server.bot_user["first_name"]}]
        for group in self.groups_of(person):
            chats.append({
                "id": group.id, "kind": "forum" if group.is_forum else "group", "title": group.title,
                "topics": [{"id": thread_id, "name": name} for thread_id, name in group.topics.items()],
            })
        return chats

    def chat_of(self, person: Person, chat_id: Any) -> int | None:
        """`chat_id` when it is one of the person's chats, else None."""
        wanted = _int(chat_id)
        return wanted if any(c["id"] == wanted for c in self.chats(person)) else None

    def member(self, person: Person, group_id: int) -> GroupMember:
        """The person as a member of the group (their driver there)."""
        key = (person.slug, group_id)
        if key not in self._members:
            self._members[key] = GroupMember(self.server, self.chat_users[person.slug].user,
                                             self.server.groups[group_id])
        return self._members[key]

    def history(self, person: Person, chat_id: int | None = None) -> list[dict[str, Any]]:
        chat = self.server.messages.get(chat_id or person.user_id, {})
        return [self.view(chat[i].snapshot(), person) for i in sorted(chat) if not chat[i].is_deleted]

    def view(self, message: dict[str, Any], person: Person) -> dict[str, Any]:
        is_paid = (person.user_id, message["message_id"]) in self.paid_invoices
        return message_view(self.server, message, is_paid=is_paid)

    def reply_keyboard(self, person: Person, chat_id: int | None = None) -> dict[str, Any] | None:
        if chat_id not in (None, person.user_id):
            return None  # the bot's keyboards are for its private chats
        return self.server.reply_keyboards.get(person.user_id)

    def commands(self, person: Person, chat_id: int | None = None) -> list[dict[str, str]]:
        """The bot's menu as Telegram resolves it: chat scope, all private (or group) chats,
        default; in each the person's language first."""
        chat_id = chat_id or person.user_id
        is_group = chat_id in self.server.groups
        scopes = (
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_group_chats" if is_group else "all_private_chats"},
            {"type": "default"},
        )
        for scope in scopes:
            for language in (person.language_code, ""):
                if commands := self.server.commands_for(language, scope):
                    return commands
        return []

    def hello(self, person: Person, chat_id: int | None = None) -> dict[str, Any]:
        bot = self.server.bot_user
        chat_id = chat_id or person.user_id
        return {
            "type": "hello",
            "person": person.slug,
            "people": [p.to_json() for p in self.people.values()],
            "bot": {"name": bot["first_name"], "username": bot["username"]},
            "chat": chat_id,
            "chats": self.chats(person),
            "messages": self.history(person, chat_id),
            "keyboard": self.reply_keyboard(person, chat_id),
            "commands": self.commands(person, chat_id),
        }

    def broadcast(self, person: Person, payload: dict[str, Any]) -> None:
        for session in self._sessions:
            if session.person == person:
                session.send(payload)

    # ---- what a person does ----------------------------------------------------------------

    async def act(self, person: Person, action: dict[str, Any], chat_id: int | None = None) -> None:
        """Run one action as `person` in one of their chats (default: the bot's); raise
        ActionError with a message for the page."""
        chat_user = self.chat_users[person.slug]
        kind = action.get("type")
        # One step at a time per person, as one thumb on one phone: the bot sees the
        # person's updates in the order they were made.
        async with self._locks[person.slug]:
            try:
                if chat_id not in (None, person.user_id):
                    await self._act_in_group(person, action, chat_id)
                elif kind == "send":
                    await chat_user.send(_text(action))
                elif kind == "deep_link":
                    try:
                        command = start_command(str(action.get("link", "")), self.server.bot_user["username"])
                    except DeepLinkError as exc:
                        raise ActionError(str(exc)) from None
                    await chat_user.send(command)
                elif kind == "press":
                    message = self._message(person, action)
                    await chat_user.press(data=str(action.get("data", "")), message=message)
                elif kind == "pay":
                    await self._pay(person, chat_user, self._message(person, action))
                elif kind == "photo":
                    await self._send_photo(chat_user, action)
                elif kind == "sticker":
                    await chat_user.send_sticker(str(action.get("emoji") or "👍")[:8])
                elif kind == "document":
                    await self._send_document(chat_user, action)
                else:
                    raise ActionError(f"unknown action {kind!r}")
            except SettleTimeout:
                raise ActionError("The bot has not finished answering yet; its reply will appear here.") from None
            except DriverError as exc:
                raise ActionError(str(exc)) from None

    async def _act_in_group(self, person: Person, action: dict[str, Any], chat_id: int) -> None:
        """What a member does in a group: write (in a topic, as a reply), send a photo, press a button."""
        if self.chat_of(person, chat_id) is None:
            raise ActionError("You are not a member of that chat.")
        member = self.member(person, chat_id)
        group = self.server.groups[chat_id]
        thread_id = _int(action.get("thread_id")) or None
        if thread_id is not None and thread_id not in group.topics:
            raise ActionError("That topic is gone.")
        reply_to = _int(action.get("reply_to")) or None
        if reply_to is not None:
            replied = self.server.messages[chat_id].get(reply_to)
            if replied is None or replied.is_deleted:
                raise ActionError("The message you reply to is gone.")
            thread_id = thread_id or replied.message_thread_id  # a reply stays in its topic
        kind = action.get("type")
        if kind == "send":
            await member.send(_text(action), thread_id=thread_id, reply_to=reply_to)
        elif kind == "photo":
            data = _picture(action)
            caption = str(action.get("caption") or "").strip()[:1024] or None
            try:
                await member.send_photo(data, caption=caption, thread_id=thread_id, reply_to=reply_to)
            except ApiError:
                raise ActionError("That file is not a picture Telegram would take (PNG or JPEG).") from None
        elif kind == "press":
            message = self.server.messages[chat_id].get(_int(action.get("message_id")))
            if message is None or message.is_deleted:
                raise ActionError("That message is gone.")
            await member.press(data=str(action.get("data", "")), message=message)
        else:
            raise ActionError("In a group you can write, reply and send photos; the rest is in the chat with the bot.")

    def _message(self, person: Person, action: dict[str, Any]):
        message = self.server.messages.get(person.user_id, {}).get(_int(action.get("message_id")))
        if message is None or message.is_deleted:
            raise ActionError("That message is gone.")
        return message

    async def _pay(self, person: Person, chat_user: ChatUser, message) -> None:
        key = (person.user_id, message.message_id)
        if message.invoice is None:
            raise ActionError("That message is no invoice.")
        if key in self.paid_invoices:
            raise ActionError("This invoice is paid already.")
        def charged(_payment) -> None:
            # As in Telegram, the invoice shows paid once the money is taken; the bot's
            # answers (the receipt, the certificate) follow as they come.
            self.paid_invoices.add(key)
            self.broadcast(person, {"type": "paid", "id": message.message_id})

        outcome = await chat_user.pay(message, on_charged=charged)
        if not outcome.is_paid:
            raise ActionError(f"Payment declined: {outcome.error_message}")

    async def _send_photo(self, chat_user: ChatUser, action: dict[str, Any]) -> None:
        data = _picture(action)
        caption = str(action.get("caption") or "").strip()[:1024] or None
        try:
            await chat_user.send_photo(data, caption)
        except ApiError:
            raise ActionError("That file is not a picture Telegram would take (PNG or JPEG).") from None


    async def _send_document(self, chat_user: ChatUser, action: dict[str, Any]) -> None:
        try:
            data = base64.b64decode(str(action.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            raise ActionError("The file did not arrive whole; try again.") from None
        if not data:
            raise ActionError("Choose a file first (an empty file cannot be sent).")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ActionError("Files can be at most 20 MB here.")
        name = "".join(c for c in str(action.get("file_name") or "file") if c.isprintable())[:128] or "file"
        mime = str(action.get("mime_type") or "application/octet-stream")[:100]
        caption = str(action.get("caption") or "").strip()[:1024] or None
        await chat_user.send_document(data, name, mime_type=mime, caption=caption)


def _picture(action: dict[str, Any]) -> bytes:
    """The photo an action carries (base64), or the ActionError a person should read."""
    try:
        data = base64.b64decode(str(action.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ActionError("The picture did not arrive whole; try again.") from None
    if not data:
        raise ActionError("Choose a picture first.")
    if len(data) > MAX_PHOTO_BYTES:
        raise ActionError("Pictures can be at most 10 MB.")
    return data


class ActionError(Exception):
    """An action the page asked for that cannot be done; the text is shown to the person."""


class _Session:
    """One browser tab: its outbox, the event pump and the actions it started."""

    def __init__(self, page: SandboxPage, ws: web.WebSocketResponse, person: Person) -> None:
        self.page = page
        self.ws = ws
        self.person = person
        self.chat = person.user_id  # the chat the tab shows: the bot's, or one of the person's groups
        self._outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._keyboard: Any = None
        self._commands: Any = None
        self._actions: set[asyncio.Task[None]] = set()

    def send(self, payload: dict[str, Any]) -> None:
        self._outbox.put_nowait(payload)

    async def run(self) -> None:
        events = self.page.server.subscribe()
        writer = asyncio.create_task(self._write())
        pump = asyncio.create_task(self._pump(events))
        try:
            self._hello()
            async for frame in self.ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                try:
                    action = json.loads(frame.data)
                except ValueError:
                    continue
                if isinstance(action, dict):
                    self._take(action)
        finally:
            self.page.server.unsubscribe(events)
            for task in (pump, *self._actions):
                task.cancel()
            self._outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await writer
            pump_and_actions = [pump, *self._actions]
            await asyncio.gather(*pump_and_actions, return_exceptions=True)

    def _hello(self) -> None:
        hello = self.page.hello(self.person, self.chat)
        self._keyboard, self._commands = hello["keyboard"], hello["commands"]
        self.send(hello)

    def _take(self, action: dict[str, Any]) -> None:
        if action.get("type") == "switch":
            person = self.page.people.get(str(action.get("person")))
            if person is None:
                self.send({"type": "error", "ref": action.get("ref"), "text": "No such person."})
                return
            self.person = person
            self.chat = person.user_id
            self._hello()
            self.send({"type": "done", "ref": action.get("ref")})
            return
        if action.get("type") == "open":
            chat = self.page.chat_of(self.person, action.get("chat"))
            if chat is None:
                self.send({"type": "error", "ref": action.get("ref"), "text": "No such chat."})
                return
            self.chat = chat
            self._hello()
            self.send({"type": "done", "ref": action.get("ref")})
            return
        task = asyncio.create_task(self._run_action(self.person, action, self.chat))
        self._actions.add(task)
        task.add_done_callback(self._actions.discard)

    async def _run_action(self, person: Person, action: dict[str, Any], chat: int) -> None:
        ref = action.get("ref")
        try:
            await self.page.act(person, action, chat)
        except ActionError as exc:
            self.send({"type": "error", "ref": ref, "text": str(exc)})
        except Exception:
            log.exception("sandbox action %s failed", action.get("type"))
            self.send({"type": "error", "ref": ref, "text": "Something went wrong in the sandbox; see the server log."})
        else:
            self.send({"type": "done", "ref": ref})
        if person == self.person:
            self._refresh_commands()

    async def _write(self) -> None:
        while (payload := await self._outbox.get()) is not None:
            if self.ws.closed:
                return
            try:
                await self.ws.send_json(payload)
            except (ConnectionError, RuntimeError):
                return

    async def _pump(self, events: asyncio.Queue[BotEvent]) -> None:
        while True:
            event = await events.get()
            try:
                self._forward(event)
            except Exception:
                log.exception("sandbox page could not show %s", event.kind)

    def _forward(self, event: BotEvent) -> None:
        # A button's answer and a refund are the person's, whichever chat the tab shows.
        is_personal = event.kind in (kinds.CALLBACK_ANSWERED, kinds.REFUND) and event.chat_id == self.person.user_id
        if event.chat_id != self.chat and not is_personal:
            self._mark_unread(event)
            return
        person, page, data = self.person, self.page, event.data
        if event.kind in (kinds.MESSAGE_SENT, kinds.INVOICE_SENT):
            self.send({"type": "message", "message": page.view(data["message"], person)})
            self._refresh_keyboard()
            self._refresh_commands()
        elif event.kind == kinds.UPDATE_QUEUED and "message" in data["update"]:
            self.send({"type": "message", "message": page.view(data["update"]["message"], person)})
        elif event.kind == kinds.MESSAGE_EDITED:
            self.send({"type": "edited", "message": page.view(data["message"], person)})
        elif event.kind == kinds.MESSAGE_DELETED:
            self.send({"type": "deleted", "id": data["message_id"]})
        elif event.kind == kinds.CALLBACK_ANSWERED and data.get("text"):
            self.send({"type": "answer", "text": data["text"], "show_alert": bool(data.get("show_alert"))})
        elif event.kind == kinds.CHAT_ACTION:
            self.send({"type": "typing", "action": data.get("action")})
        elif event.kind == kinds.RATE_LIMITED:
            self.send({"type": "notice", "text": f"Telegram's flood limit: the bot must wait {data['retry_after']} s."})
        elif event.kind == kinds.REFUND:
            amount = _money(data["currency"], data["total_amount"])
            self.send({"type": "notice", "text": f"Refunded {amount} to you."})

    def _mark_unread(self, event: BotEvent) -> None:
        """Something new in a chat the tab does not show: a badge on that chat or person."""
        is_new = event.kind in (kinds.MESSAGE_SENT, kinds.INVOICE_SENT) or (
            event.kind == kinds.UPDATE_QUEUED and "message" in event.data["update"])
        if not is_new:
            return
        if event.chat_id in self.page.server.groups:
            if self.person.user_id in self.page.server.groups[event.chat_id].member_ids:
                self.send({"type": "unread_chat", "chat": event.chat_id})
            return
        person = self.page.person_for_chat(event.chat_id)
        if person == self.person:
            if event.kind != kinds.UPDATE_QUEUED:  # the bot wrote in the person's own chat
                self.send({"type": "unread_chat", "chat": event.chat_id})
        elif person is not None and event.kind != kinds.UPDATE_QUEUED:
            self.send({"type": "unread", "person": person.slug})

    def _refresh_keyboard(self) -> None:
        keyboard = self.page.reply_keyboard(self.person, self.chat)
        if keyboard != self._keyboard:
            self._keyboard = keyboard
            self.send({"type": "keyboard", "keyboard": keyboard})

    def _refresh_commands(self) -> None:
        commands = self.page.commands(self.person, self.chat)
        if commands != self._commands:
            self._commands = commands
            self.send({"type": "commands", "commands": commands})


def _text(action: dict[str, Any]) -> str:
    text = str(action.get("text", "")).strip()
    if not text:
        raise ActionError("Type a message first.")
    if len(text) > MAX_TEXT_LENGTH:
        raise ActionError(f"Telegram takes at most {MAX_TEXT_LENGTH} characters in one message.")
    return text


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _money(currency: str, amount: int) -> str:
    if currency == "XTR":
        return f"{amount} ⭐"
    return f"{amount / 100:.2f} {currency}"


def _is_same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host
