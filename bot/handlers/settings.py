"""/settings (notifications, account types) and /language, by buttons or typed.

Typed forms: `/language de` (or Deutsch, français...), `/settings notifications off`,
`/settings mute news` / `/settings unmute fills` (topics: fills, alerts, trees, news;
the outbox sender skips a muted topic), `/settings add trader`. Buttons are the kinds of `SETTINGS` (bot/callbacks.py); each
sets what it names, so an old settings message still works.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ContextTypes

from bot import menu
from bot.callbacks import Codec, one_of, part
from bot.conversations.signup import ROLE_LABELS, SIGNUP_ROLES, parse_language, parse_roles
from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator, language_name, translator
from bot.members import member
from bot.replies import answer, show
from core import users
from core.i18n import LANGUAGES
from core.outbox import Topic
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

TOPIC_LABELS = {
    Topic.FILLS: N_("Fills of my offers"),
    Topic.ALERTS: N_("Offers matching my alerts"),
    Topic.TREES: N_("My trees"),
    Topic.NEWS: N_("News from CCCP"),
}
TOPIC_HEARD = N_("🔔 {topic}")
TOPIC_MUTED = N_("🔕 {topic}")
MUTED_LINE = N_("• Muted: {topics}")
TOPIC_HINT = N_("Type /settings mute or /settings unmute followed by fills, alerts, trees or news.")
TOPIC_WORDS = {
    Topic.FILLS: {"fills", "fill", "ausführungen", "exécutions", "executions"},
    Topic.ALERTS: {"alerts", "alert", "alarme", "alertes"},
    Topic.TREES: {"trees", "tree", "bäume", "baeume", "arbres"},
    Topic.NEWS: {"news", "neuigkeiten", "nouvelles", "actualités"},
}
MUTE_WORDS = {"mute", "stumm", "muet", "silence"}
UNMUTE_WORDS = {"unmute", "laut", "entstummen", "réactiver", "reactiver"}

ON_WORDS = {"on", "an", "ein", "oui", "yes", "ja", "activé", "active"}
OFF_WORDS = {"off", "aus", "non", "no", "nein", "désactivé", "desactive"}


SET = Codec("set")


@SET.kind("notif")
@dataclass(frozen=True)
class NotificationsPressed:
    state: str = part(one_of("on", "off"))


@SET.kind("topic")
@dataclass(frozen=True)
class TopicPressed:
    """Mute (state "off") or hear (state "on") one notification topic."""

    topic: str = part(one_of(*(t.value for t in Topic)))
    state: str = part(one_of("on", "off"))


@SET.kind("role")
@dataclass(frozen=True)
class RolePressed:
    role: str = part(one_of(*(r.value for r in SIGNUP_ROLES)))


@SET.kind("langs")
@dataclass(frozen=True)
class LanguagesPressed:
    """Show the language buttons."""


@SET.kind("lang")
@dataclass(frozen=True)
class LanguagePressed:
    language: str = part(one_of(*LANGUAGES))


def settings_text(t: Translator, user: UserView) -> str:
    roles = ", ".join(t(ROLE_LABELS[r]) for r in sorted(user.roles)) or "—"
    text = t(SETTINGS, language=language_name(t.language),
             notifications=t(ON) if user.has_notifications else t(OFF), roles=roles)
    muted = [t(label) for topic, label in TOPIC_LABELS.items() if topic.value in user.muted_topics]
    if user.has_notifications and muted:
        text += "\n" + t(MUTED_LINE, topics=", ".join(muted))
    return text


def settings_keyboard(t: Translator, user: UserView) -> InlineKeyboardMarkup:
    turn = NotificationsPressed("off" if user.has_notifications else "on")
    rows = [[InlineKeyboardButton(t(TURN_OFF) if user.has_notifications else t(TURN_ON),
                                  callback_data=SET.encode(turn))]]
    if user.has_notifications:  # one button per topic: what it shows now, a press turns it round
        buttons = [
            InlineKeyboardButton(
                t(TOPIC_MUTED if topic.value in user.muted_topics else TOPIC_HEARD, topic=t(label)),
                callback_data=SET.encode(TopicPressed(topic.value, "on" if topic.value in user.muted_topics else "off")),
            )
            for topic, label in TOPIC_LABELS.items()
        ]
        rows += [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    missing = [r for r in SIGNUP_ROLES if r not in user.roles]
    rows += [[InlineKeyboardButton(t(ADD_ROLE, role=t(ROLE_LABELS[r])),
                                   callback_data=SET.encode(RolePressed(r.value)))]
             for r in missing]
    rows.append([InlineKeyboardButton(t(CHANGE_LANGUAGE), callback_data=SET.encode(LanguagesPressed()))])
    return InlineKeyboardMarkup(rows)


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(("✓ " if lang == current else "") + language_name(lang),
                             callback_data=SET.encode(LanguagePressed(lang)))
        for lang in LANGUAGES
    ]])


async def _apply_typed(update: Update, user: UserView, t: Translator, args: list[str]) -> UserView | None:
    words = [a.lower() for a in args]
    if words and words[0] in {"notifications", "notification", "benachrichtigungen", "notifs"} and len(words) == 2:
        if words[1] in ON_WORDS | OFF_WORDS:
            return await users.set_notifications(user.id, words[1] in ON_WORDS)
    if words and words[0] in MUTE_WORDS | UNMUTE_WORDS:
        topic = next((tp for tp, names in TOPIC_WORDS.items() if len(words) == 2 and words[1] in names), None)
        if topic is None:
            await update.effective_chat.send_message(t(TOPIC_HINT))
            return None
        return await users.set_topic_muted(user.id, topic, words[0] in MUTE_WORDS)
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


async def on_languages_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                               pressed: LanguagesPressed) -> None:
    """The Language button of the settings: the language buttons."""
    user, t = await member(update, context)
    if user is None:
        return
    await answer(update)
    await show(update, t(CHOOSE_LANGUAGE), language_keyboard(t.language))


async def on_notifications_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                                   pressed: NotificationsPressed) -> None:
    """Turn notifications on or off."""
    user, t = await member(update, context)
    if user is None:
        return
    user = await users.set_notifications(user.id, pressed.state == "on")
    await answer(update, t(ON) if user.has_notifications else t(OFF))
    await show(update, settings_text(t, user), settings_keyboard(t, user))


async def on_topic_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: TopicPressed) -> None:
    """Mute or hear one kind of notification."""
    user, t = await member(update, context)
    if user is None:
        return
    user = await users.set_topic_muted(user.id, pressed.topic, pressed.state == "off")
    label = t(TOPIC_LABELS[Topic(pressed.topic)])
    await answer(update, t(TOPIC_HEARD if pressed.state == "on" else TOPIC_MUTED, topic=label))
    await show(update, settings_text(t, user), settings_keyboard(t, user))


async def on_role_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: RolePressed) -> None:
    """Add an account type."""
    user, t = await member(update, context)
    if user is None:
        return
    user = await users.add_role(user.id, pressed.role)
    added = t(ROLE_ADDED, role=t(ROLE_LABELS[pressed.role]))
    await answer(update, added)
    await update.effective_chat.send_message(added, reply_markup=menu.main_menu(context, t, user))
    await show(update, settings_text(t, user), settings_keyboard(t, user))


async def _set_language(update: Update, context: ContextTypes.DEFAULT_TYPE, user: UserView, language: str) -> None:
    user = await users.set_language(user.id, language)
    context.user_data["lang"] = language
    t = translator(language)
    if update.callback_query is not None:
        await show(update, t(CHOOSE_LANGUAGE), language_keyboard(language))
    await update.effective_chat.send_message(t(LANGUAGE_SET), reply_markup=menu.main_menu(context, t, user))


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


async def on_language_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                              pressed: LanguagePressed) -> None:
    """A language button."""
    user, _ = await member(update, context)
    if user is None:
        return
    await answer(update)
    await _set_language(update, context, user, pressed.language)


def handlers(wiring: Wiring) -> list:
    return [
        CommandHandler("settings", show_settings),
        CommandHandler("language", choose_language),
        SET.handler(NotificationsPressed, on_notifications_pressed),
        SET.handler(TopicPressed, on_topic_pressed),
        SET.handler(RolePressed, on_role_pressed),
        SET.handler(LanguagesPressed, on_languages_pressed),
        SET.handler(LanguagePressed, on_language_pressed),
    ]


FEATURE = Feature(
    name="settings",
    handlers=handlers,
    menu_items=[menu.MenuItem(menu.SETTINGS, show_settings, order=80)],
    commands=[
        Command("settings", N_("Notifications and account types"), order=30),
        Command("language", N_("Change the language"), order=31),
    ],
    codecs=[SET],
)
