"""The one router for free text: typed text no conversation waits for, tried against
every feature's readers in their stated order (bot/feature.py `Reader`, READ_*).

The first reader that returns True has handled the text; when none does, nothing is
said here (help's reader, last, answers with a hint). The text a reader gets is the
message's text with its spaces tidied at both ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters

from bot.feature import Reader


def ordered(readers: Sequence[Reader]) -> list[Reader]:
    """Readers by order (a stable sort: features' order breaks ties); a name twice is a bug."""
    names = [reader.name for reader in readers]
    if len(set(names)) != len(names):
        raise ValueError(f"two readers share a name: {names}")
    return sorted(readers, key=lambda reader: reader.order)


def handler(typed_text: filters.BaseFilter, readers: Sequence[Reader]) -> MessageHandler:
    """The MessageHandler bot/app.py installs once for typed text."""
    chain = ordered(readers)

    async def route(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text.strip()
        for reader in chain:
            if await reader.read(update, context, text):
                return

    return MessageHandler(typed_text, route)
