"""Sending and editing in the chat, with Telegram's quirks handled once.

`show` edits the message a button was pressed on (so a flow stays in one
bubble) or sends a new message when the person typed; an edit to the same
content ("Message is not modified") counts as done.
`in_rows` lays buttons out a fixed number to a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest

MAX_TEXT = 4096
T = TypeVar("T")


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
) -> Message | bool:
    """Edit the pressed message, else send a new one."""
    text = text[:MAX_TEXT]
    query = update.callback_query
    if query is not None and query.message is not None and not isinstance(markup, ReplyKeyboardMarkup):
        try:
            return await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return True
            raise
    return await update.effective_chat.send_message(text, reply_markup=markup)


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the pressed button (Telegram shows a spinner until we do)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


def in_rows(buttons: Sequence[T], width: int) -> list[list[T]]:
    """The buttons laid out `width` to a row (the last row may be shorter)."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
