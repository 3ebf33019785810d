"""Who is asking: the signed-up user and their translator, or a nudge to /start."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, ConversationHandler

from bot.i18n import Translator, telegram_language, translator
from bot.replies import answer
from bot.texts import ERROR_TEXTS
from core import users
from core.users import UserView


async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[UserView | None, Translator]:
    """The signed-up user (None after telling them to /start first) and their language."""
    user = await users.get_user(update.effective_user.id)
    if user is None:
        t = translator(telegram_language(update, context.bot_data.get("default_language", "en")))
        text = t(ERROR_TEXTS["unknown_user"])
        if update.callback_query is not None:
            await answer(update, text, alert=True)
        else:
            await update.effective_chat.send_message(text)
        return None, t
    if user.blocked_bot_at is not None and update.effective_chat.type == "private":
        await users.mark_unblocked(user.id)  # they write to the bot: it may write to them again
    t = translator(user.language)
    context.user_data["lang"] = t.language
    return user, t


def members_only(callback: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A handler for signed-up people: `callback(update, context, user, t, *rest)`.

    Anyone else is told to /start first (member() says so) and nothing else happens; in
    a conversation that ends it. The step handlers of every feature open this way.
    """

    @functools.wraps(callback)
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE, *rest: Any) -> Any:
        user, t = await member(update, context)
        if user is None:
            return ConversationHandler.END
        return await callback(update, context, user, t, *rest)

    return handle
