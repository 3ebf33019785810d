"""The stand-in's message methods and the helpers they share with files and payments."""

from __future__ import annotations

from typing import Any

from . import errors, events, groups
from .entities import format_text
from .errors import bad_request, forbidden
from .markup import parse_reply_markup
from .params import Params
from .state import Message, User

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
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


class MessageMethods:
    """Sending, editing and deleting messages, chat actions, callback answers (a BotApiServer mixin)."""

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
        user = self.users.get(chat_id) or self.groups.get(chat_id)
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
        fields.update(groups.thread_of(self, user, params))
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
