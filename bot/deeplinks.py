"""Deep links: `/start <payload>` continuations that features register by prefix.

A payload is at most 64 characters of [A-Za-z0-9_-] (Telegram's rule). Sign-up
keeps it and calls `continue_deeplink` once the person is signed up (or at once
for someone already signed up). A feature names its prefixes in its FEATURE;
`bot/app.py` checks them (`check_prefix`) and keeps this bot's table in
`bot_data["deeplinks"]`:

    Feature(..., deeplinks={"offset_": continue_offset})   # /start offset_2500 -> continue_offset(update, context, "2500")

The handler gets the payload without the prefix. An unknown payload is answered
politely ("This link is not valid or has expired").
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping

from telegram import Update
from telegram.ext import ContextTypes

from bot.i18n import tr
from bot.texts import ERROR_TEXTS

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Continuation = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
DEEPLINKS_KEY = "deeplinks"  # bot_data: prefix -> continuation of this application


def check_prefix(prefix: str) -> str:
    """A prefix as a feature may claim it; payloads starting with it go to its continuation."""
    if not prefix or not PAYLOAD.match(prefix):
        raise ValueError(f"a deep-link prefix uses [A-Za-z0-9_-]: {prefix!r}")
    return prefix


def payload_of(args: list[str] | None) -> str | None:
    """The deep-link payload of a /start, if it is a valid one."""
    if not args or len(args) != 1 or not PAYLOAD.match(args[0]):
        return None
    return args[0]


def find(continuations: Mapping[str, Continuation], payload: str) -> tuple[Continuation, str] | None:
    """The continuation of the longest prefix the payload starts with, and the rest."""
    for prefix in sorted(continuations, key=len, reverse=True):
        if payload.startswith(prefix):
            return continuations[prefix], payload[len(prefix):]
    return None


async def continue_deeplink(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """Run the feature the payload names, or say the link is unknown."""
    found = find(context.bot_data.get(DEEPLINKS_KEY, {}), payload)
    if found is None:
        t = await tr(update, context)
        await update.effective_chat.send_message(t(ERROR_TEXTS["deeplink_unknown"]))
        return
    continuation, rest = found
    await continuation(update, context, rest)
