"""What the stand-in remembers: users, chats, messages, files, queries and payments.

Private chats only: a private chat's id is its user's id. Message ids count up per
chat, shared by the person's and the bot's messages, as in Telegram.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    """A person (never a bot) known to the stand-in."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    has_started: bool = False  # Telegram refuses to let a bot write first
    is_blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class Message:
    """One message in a private chat, the person's or the bot's, as it is now."""

    message_id: int
    chat: dict[str, Any]
    sender: dict[str, Any]
    date: int
    is_from_bot: bool
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    invoice: dict[str, Any] | None = None
    successful_payment: dict[str, Any] | None = None
    sticker: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    message_thread_id: int | None = None  # a forum topic (groups.py)
    is_topic_message: bool = False
    forum_topic_created: dict[str, Any] | None = None
    edit_date: int | None = None
    is_deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    @property
    def is_edited(self) -> bool:
        return self.edit_date is not None

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup["inline_keyboard"]
        return []

    def content_key(self) -> tuple[Any, ...]:
        """What an edit must change for Telegram to accept it."""
        markup = self.reply_markup if self.reply_markup and "inline_keyboard" in self.reply_markup else None
        return (self.text, self.entities, self.caption, self.caption_entities, markup)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.to_api())

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.message_thread_id is not None:
            data["message_thread_id"] = self.message_thread_id
        if self.is_topic_message:
            data["is_topic_message"] = True
        if self.forum_topic_created is not None:
            data["forum_topic_created"] = self.forum_topic_created
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.photo is not None:
            data["photo"] = self.photo
        if self.document is not None:
            data["document"] = self.document
        if self.caption:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        if self.invoice is not None:
            data["invoice"] = self.invoice
        if self.successful_payment is not None:
            data["successful_payment"] = self.successful_payment
        if self.sticker is not None:
            data["sticker"] = self.sticker
        # Telegram only echoes inline keyboards back in Message objects.
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


@dataclass
class StoredFile:
    """A file's bytes and its identifiers, served at /file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str
    file_name: str | None = None
    width: int | None = None
    height: int | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class CallbackQuery:
    """A button press waiting for answerCallbackQuery."""

    id: str
    user_id: int
    message_id: int
    data: str
    created_at: float
    answer: dict[str, Any] | None = None


@dataclass
class Invoice:
    """What sendInvoice asked for; the message carries the public part."""

    chat_id: int
    message_id: int
    title: str
    description: str
    payload: str
    provider_token: str
    currency: str
    prices: list[dict[str, Any]]

    @property
    def total_amount(self) -> int:
        return sum(int(price["amount"]) for price in self.prices)


@dataclass
class PreCheckout:
    """A pre_checkout_query waiting for answerPreCheckoutQuery."""

    id: str
    user_id: int
    invoice: Invoice
    created_at: float
    answer: dict[str, Any] | None = None


@dataclass
class Payment:
    """A successful payment; Stars payments can be refunded once."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str
    user_id: int
    currency: str
    total_amount: int
    invoice_payload: str
    is_refunded: bool = False
