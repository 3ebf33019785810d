"""/settings (notifications, account types) and /language, by buttons or typed.

Typed forms: `/language de` (or Deutsch, français...), `/settings notifications off`,
`/settings add trader`.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import menu
from bot.conversations.signup import ROLE_LABELS, SIGNUP_ROLES, parse_language, parse_roles
from bot.i18n import N_, Translator, language_name, translator
from bot.members import member
from bot.replies import answer, show
from core import users
from core.i18n import LANGUAGES
from core.users import UserView

SETTINGS = N_(
    "Settings\n"
    "• Language: {language}\n"
    "• Notifications: {notifications}\n"
    "• Account types: {roles}"
)
ON = N_("on")
OFF = N_("off")
TURN_ON = N_("🔔 Turn notifications on")
TURN_OFF = N_("🔕 Turn notifications off")
ADD_ROLE = N_("➕ {role}")
CHANGE_LANGUAGE = N_("🌐 Language")
SETTINGS_HINT = N_(
    "Use the buttons, or type /settings notifications on|off, /settings add trader, /language de."
)
CHOOSE_LANGUAGE = N_("Choose your language:")
LANGUAGE_SET = N_("Language set to English.")
ROLE_ADDED = N_("Added: {role}.")
LANGUAGE_HINT = N_("Type /language followed by English, Deutsch or Français, or use the buttons.")

SETTINGS_DATA = re.compile(r"^set:(notif:(on|off)|role:(consumer|trader|producer|merchant)|lang)$")
LANGUAGE_DATA = re.compile(r"^lang:(en|de|fr)$")
ON_WORDS = {"on", "an", "ein", "oui", "yes", "ja", "activé", "active"}
OFF_WORDS = {"off", "aus", "non", "no", "nein", "désactivé", "desactive"}


def settings_text(t: Translator, user: UserView) -> str:
    roles = ", ".join(t(ROLE_LABELS[r]) for r in sorted(user.roles)) or "—"
    return t(SETTINGS, language=language_name(t.language),
             notifications=t(ON) if user.has_notifications else t(OFF), roles=roles)


def settings_keyboard(t: Translator, user: UserView) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t(TURN_OFF) if user.has_notifications else t(TURN_ON),
                                  callback_data=f"set:notif:{'off' if user.has_notifications else 'on'}")]]
    missing = [r for r in SIGNUP_ROLES if r not in user.roles]
    rows += [[InlineKeyboardButton(t(ADD_ROLE, role=t(ROLE_LABELS[r])), callback_data=f"set:role:{r.value}")]
             for r in missing]
    rows.append([InlineKeyboardButton(t(CHANGE_LANGUAGE), callback_data="set:lang")])
    return InlineKeyboardMarkup(rows)


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(("✓ " if lang == current else "") + language_name(lang), callback_data=f"lang:{lang}")
        for lang in LANGUAGES
    ]])


async def _apply_typed(update: Update, user: UserView, t: Translator, args: list[str]) -> UserView | None:
    words = [a.lower() for a in args]
    if words and words[0] in {"notifications", "notification", "benachrichtigungen", "notifs"} and len(words) == 2:
        if words[1] in ON_WORDS | OFF_WORDS:
            return await users.set_notifications(user.id, words[1] in ON_WORDS)
    if words and words[0] in {"add", "hinzufügen", "ajouter"} and len(words) >= 2:
        roles = parse_roles(" ".join(words[1:]))
        if roles:
            for role in roles:
                user = await users.add_role(user.id, role)
            return user
    await update.effective_chat.send_message(t(SETTINGS_HINT))
    return None


async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/settings [notifications on|off | add <type>]: the settings and their buttons."""
    user, t = await member(update, context)
    if user is None:
        return
    if context.args:
        changed = await _apply_typed(update, user, t, context.args)
        if changed is None:
            return
        user = changed
    await show(update, settings_text(t, user), settings_keyboard(t, user))


async def on_settings_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settings button."""
    user, t = await member(update, context)
    if user is None:
        return
    action = update.callback_query.data.removeprefix("set:")
    if action == "lang":
        await answer(update)
        await show(update, t(CHOOSE_LANGUAGE), language_keyboard(t.language))
        return
    if action.startswith("notif:"):
        user = await users.set_notifications(user.id, action.endswith(":on"))
        await answer(update, t(ON) if user.has_notifications else t(OFF))
    else:
        role = action.removeprefix("role:")
        user = await users.add_role(user.id, role)
        await answer(update, t(ROLE_ADDED, role=t(ROLE_LABELS[role])))
        await update.effective_chat.send_message(t(ROLE_ADDED, role=t(ROLE_LABELS[role])),
                                                 reply_markup=menu.main_menu(t, user))
    await show(update, settings_text(t, user), settings_keyboard(t, user))


async def _set_language(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, language: str) -> None:
    user = await users.set_language(user.id, language)
    context.user_data["lang"] = language
    t = translator(language)
    if update.callback_query is not None:
        await show(update, t(CHOOSE_LANGUAGE), language_keyboard(language))
    await update.effective_chat.send_message(t(LANGUAGE_SET), reply_markup=menu.main_menu(t, user))


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language [name]: pick the bot's language."""
    user, t = await member(update, context)
    if user is None:
        return
    if context.args:
        language = parse_language(" ".join(context.args))
        if language is None:
            await update.effective_chat.send_message(t(LANGUAGE_HINT), reply_markup=language_keyboard(t.language))
            return
        await _set_language(update, context, user, language)
        return
    await update.effective_chat.send_message(t(CHOOSE_LANGUAGE), reply_markup=language_keyboard(t.language))


async def on_language_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button."""
    user, _ = await member(update, context)
    if user is None:
        return
    await answer(update)
    await _set_language(update, context, user, update.callback_query.data.removeprefix("lang:"))


def handlers() -> list:
    menu.add_item(menu.SETTINGS, show_settings, order=80)
    return [
        CommandHandler("settings", show_settings),
        CommandHandler("language", choose_language),
        CallbackQueryHandler(on_settings_pressed, pattern=SETTINGS_DATA),
        CallbackQueryHandler(on_language_pressed, pattern=LANGUAGE_DATA),
    ]
