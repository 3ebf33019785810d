"""Sending, editing and answering in the chat, with Telegram's quirks and limits handled once.

`show` edits the message a button was pressed on (so a flow stays in one
bubble) or sends a new message when the person typed; an edit to the same
content ("Message is not modified") counts as done.
`answer` answers the pressed button, at most once per press: Telegram refuses a
second answer, so a helper that already told the person (e.g. "not signed up")
and the handler after it cannot both answer. `was_answered` tells the error
handler and the callback codec (bot/callbacks.py) whether one is still owed.
`echo` quotes what the person typed back to them, cut short: an error that
repeated a 4,000-character text went past Telegram's 4,096 and failed itself.
`fit` cuts any text to one of Telegram's limits.
`in_rows` lays buttons out a fixed number to a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest

# Telegram's limits, in UTF-16 code units (what Telegram counts).
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ANSWER = 200  # answerCallbackQuery text
MAX_ECHO = 100  # what the person typed, quoted back in an answer
ELLIPSIS = "…"
T = TypeVar("T")

# The query answered while handling the current update. PTB handles each update in its
# own task, error handler included, so a ContextVar is per update and needs no cleanup.
_answered_query: ContextVar[str | None] = ContextVar("answered_query", default=None)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def fit(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to `limit` (UTF-16 units, as Telegram counts), ending in "…" when cut."""
    if len(text) <= limit // 2 or _utf16_len(text) <= limit:
        return text
    cut = text[: limit - 1]
    while _utf16_len(cut) > limit - 1:
        cut = cut[:-1]
    return cut + ELLIPSIS


def echo(text: object, limit: int = MAX_ECHO) -> str:
    """What the person typed, to quote back: on one line, at most `limit` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> Message | bool:
    """Edit the pressed message, else send a new one."""
    text = fit(text)
    query = update.callback_query
    if query is not None and query.message is not None and not isinstance(markup, ReplyKeyboardMarkup):
        try:
            return await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True
            raise
    return await update.effective_chat.send_message(text, reply_markup=markup)


def was_answered(update: object) -> bool:
    """Whether the update is a button press that was answered already."""
    query = update.callback_query if isinstance(update, Update) else None
    return query is not None and _answered_query.get() == query.id


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button (Telegram shows a spinner until we do); once only."""
    query = update.callback_query
    if query is None or was_answered(update):
        return
    _answered_query.set(query.id)
    await query.answer(fit(text, MAX_ANSWER) if text else text, show_alert=alert)


def in_rows(buttons: Sequence[T], width: int) -> list[list[T]]:
    """The buttons laid out `width` to a row (the last row may be shorter)."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
