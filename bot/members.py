"""Who is asking: the signed-up user and their translator, or a nudge to /start."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

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
    t = translator(user.language)
    context.user_data["lang"] = t.language
    return user, t
