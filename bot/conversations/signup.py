"""Sign-up: /start -> language -> terms -> account types -> signed up (then the deep link).

Works by buttons alone and by typing alone: a language by name or code
("Deutsch", "de"), the terms with yes/ja/oui/accept, account types by name
(several at once: "consumer, trader") or toggled with buttons and "Done".
What was chosen so far lives in user_data["signup"], persisted with the
conversation state, so a restart resumes at the same step. A deep-link payload
(/start offset_2500) is kept there and continued after sign-up. Buttons are the
kinds of `SU` (bot/callbacks.py); each step takes only its own, anything else
during sign-up is answered as no longer valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, auto

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import deeplinks, menu
from bot.callbacks import Codec, answer_stale, one_of, part
from bot.clock import now_of
from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator, language_name, telegram_language, tr, translator
from bot.people import ROLE_LABELS, SIGNUP_ROLES, parse_language, parse_roles
from bot.replies import answer, show
from core import users
from core.i18n import LANGUAGES
from core.users import UserRole


class SignUp(IntEnum):
    LANGUAGE = auto()
    TERMS = auto()
    ROLES = auto()


ROLE_HINTS = {
    UserRole.CONSUMER: N_("offset your footprint and collect certificates"),
    UserRole.TRADER: N_("buy and sell credits with others"),
    UserRole.PRODUCER: N_("sell credits from your own climate project"),
    UserRole.MERCHANT: N_("sell products that carry credits"),
}
YES_WORDS = {"yes", "y", "ok", "okay", "accept", "i accept", "agree", "ja", "j", "akzeptieren",
             "ich akzeptiere", "einverstanden", "oui", "o", "j'accepte", "accepter", "d'accord"}
NO_WORDS = {"no", "n", "nein", "non", "decline", "ablehnen", "refuser"}
DONE_WORDS = {"done", "ok", "okay", "fertig", "weiter", "terminé", "termine", "fini", "continue"}

WELCOME = N_(
    "Welcome to CCCP, the Carbon Credit Consumer Symbol: the mark of products and services that carry carbon credits.\n\n"
    "Here you can work out the footprint of a purchase or a trip, offset it with "
    "verified carbon credits (1 credit = 1 t CO2e) and get a signed certificate. "
    "Traders, producers and merchants buy and sell credits here too."
)
CHOOSE_LANGUAGE = N_("Please choose your language.")
LANGUAGE_HINT = N_("Please choose a language with the buttons, or type English, Deutsch or Français.")
TERMS = N_(
    "Before we start, please accept our terms:\n"
    "• Credits you buy are retired for you or kept in your account; retired credits cannot be sold again.\n"
    "• We store your Telegram id, your name and what you do here to run your account.\n"
    "• Certificates are public at their link.\n\n"
    "Do you accept?"
)
ACCEPT = N_("✅ I accept")
DECLINE = N_("Decline")
TERMS_HINT = N_("Please press “I accept” or type “yes” to continue, or /cancel.")
DECLINED = N_("Without accepting the terms you cannot use CCCP. Send /start whenever you change your mind.")
CHOOSE_ROLES = N_(
    "How will you use CCCP? Choose one or more, then press Done. "
    "You can add more later in /settings."
)
DONE = N_("Done")
ROLE_LINE = N_("• {role}: {hint}")
ROLES_HINT = N_("Press the account types you want and then Done, or type them, for example “consumer”.")
ROLES_NEED_ONE = N_("Please choose at least one account type.")
SIGNED_UP = N_("You are all set, {name}! Your account is open. Use the menu below or /help.")
ALREADY = N_("Welcome back, {name}! Use the menu below or /help.")
FINISH_FIRST = N_("Let's finish signing up first: answer the question above, or send /cancel.")
CANCELLED = N_("Sign-up cancelled. Send /start whenever you like.")

SU = Codec("su")


@SU.kind("lang")
@dataclass(frozen=True)
class LanguagePressed:
    language: str = part(one_of(*LANGUAGES))


@SU.kind("terms")
@dataclass(frozen=True)
class TermsPressed:
    answer: str = part(one_of("yes", "no"))


@SU.kind("role")
@dataclass(frozen=True)
class RolePressed:
    role: str = part(one_of(*(r.value for r in SIGNUP_ROLES), "done"))


def _signup(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.user_data.setdefault("signup", {})


def language_keyboard(selected: str | None) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(("✓ " if lang == selected else "") + language_name(lang),
                             callback_data=SU.encode(LanguagePressed(lang)))
        for lang in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons])


def terms_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(ACCEPT), callback_data=SU.encode(TermsPressed("yes"))),
          InlineKeyboardButton(t(DECLINE), callback_data=SU.encode(TermsPressed("no")))]]
    )


def roles_keyboard(t: Translator, chosen: set[str]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(("☑ " if role.value in chosen else "☐ ") + t(ROLE_LABELS[role]),
                              callback_data=SU.encode(RolePressed(role.value)))]
        for role in SIGNUP_ROLES
    ]
    rows.append([InlineKeyboardButton(t(DONE), callback_data=SU.encode(RolePressed("done")))])
    return InlineKeyboardMarkup(rows)


def roles_text(t: Translator) -> str:
    lines = [t(CHOOSE_ROLES), ""]
    lines += [t(ROLE_LINE, role=t(ROLE_LABELS[r]), hint=t(ROLE_HINTS[r])) for r in SIGNUP_ROLES]
    return "\n".join(lines)


# ---- steps --------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/start [payload]: the menu for members, else the first sign-up step."""
    payload = deeplinks.payload_of(context.args)
    user = await users.get_user(update.effective_user.id)
    if user is not None and user.blocked_bot_at is not None:
        await users.mark_unblocked(user.id)  # they came back: notifications go to them again
    if user is not None:
        context.user_data.pop("signup", None)
        t = translator(user.language)
        context.user_data["lang"] = t.language
        await update.effective_chat.send_message(
            t(ALREADY, name=user.first_name), reply_markup=menu.main_menu(context, t, user)
        )
        if payload:
            await deeplinks.continue_deeplink(update, context, payload)
        elif context.args:
            await deeplinks.continue_deeplink(update, context, " ".join(context.args)[:64])
        return ConversationHandler.END
    signup = _signup(context)
    if payload or context.args:
        signup["payload"] = payload or "?"
    preselected = signup.get("lang") or telegram_language(update, context.bot_data.get("default_language", "en"))
    t = translator(preselected)
    await update.effective_chat.send_message(
        f"{t(WELCOME)}\n\n{t(CHOOSE_LANGUAGE)}", reply_markup=language_keyboard(preselected)
    )
    return SignUp.LANGUAGE


async def _after_language(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> int:
    _signup(context)["lang"] = language
    context.user_data["lang"] = language
    t = translator(language)
    await show(update, t(TERMS), terms_keyboard(t))
    return SignUp.TERMS


async def on_language_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                              pressed: LanguagePressed) -> int:
    """A language button."""
    await answer(update)
    return await _after_language(update, context, pressed.language)


async def on_language_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """A language typed by name or code."""
    language = parse_language(update.effective_message.text)
    if language is None:
        t = await tr(update, context)
        await update.effective_chat.send_message(t(LANGUAGE_HINT), reply_markup=language_keyboard(None))
        return None
    return await _after_language(update, context, language)


async def _after_terms(update: Update, context: ContextTypes.DEFAULT_TYPE, is_accepted: bool) -> int:
    t = await tr(update, context)
    if not is_accepted:
        context.user_data.pop("signup", None)
        await show(update, t(DECLINED))
        return ConversationHandler.END
    signup = _signup(context)
    signup["terms"] = True
    signup.setdefault("roles", [])
    await show(update, roles_text(t), roles_keyboard(t, set(signup["roles"])))
    return SignUp.ROLES


async def on_terms_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: TermsPressed) -> int:
    """I accept / Decline."""
    await answer(update)
    return await _after_terms(update, context, pressed.answer == "yes")


async def on_terms_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """yes / ja / oui / no..."""
    t = await tr(update, context)
    word = update.effective_message.text.strip().lower().strip(".!✅ ")
    if word in YES_WORDS or word == t(ACCEPT).strip("✅ ").lower():
        return await _after_terms(update, context, True)
    if word in NO_WORDS or word == t(DECLINE).lower():
        return await _after_terms(update, context, False)
    await update.effective_chat.send_message(t(TERMS_HINT), reply_markup=terms_keyboard(t))
    return None


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, roles: set[str]) -> int:
    signup = context.user_data.pop("signup", {})
    tg_user = update.effective_user
    user = await users.sign_up(
        tg_user.id,
        tg_user.first_name,
        signup.get("lang") or context.user_data.get("lang"),
        sorted(roles),
        now=now_of(context),
        username=tg_user.username,
    )
    t = translator(user.language)
    if update.callback_query is not None:
        await show(update, roles_text(t) + "\n\n✓ " + ", ".join(t(ROLE_LABELS[r]) for r in sorted(user.roles)))
    await update.effective_chat.send_message(
        t(SIGNED_UP, name=user.first_name), reply_markup=menu.main_menu(context, t, user)
    )
    if payload := signup.get("payload"):
        await deeplinks.continue_deeplink(update, context, payload)
    return ConversationHandler.END


async def on_role_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                          pressed: RolePressed) -> int | None:
    """Toggle an account type, or Done."""
    signup = _signup(context)
    chosen = set(signup.get("roles", []))
    choice = pressed.role
    t = await tr(update, context)
    if choice == "done":
        if not chosen:
            await answer(update, t(ROLES_NEED_ONE), alert=True)
            return None
        await answer(update)
        return await _finish(update, context, chosen)
    await answer(update)
    chosen ^= {choice}
    signup["roles"] = sorted(chosen)
    await update.callback_query.edit_message_reply_markup(roles_keyboard(t, chosen))
    return None


async def on_roles_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """Account types typed by name; "done" takes what the buttons chose."""
    t = await tr(update, context)
    text = update.effective_message.text.strip()
    chosen = set(_signup(context).get("roles", []))
    if text.lower().strip(".!") in DONE_WORDS or text.lower() == t(DONE).lower():
        if chosen:
            return await _finish(update, context, chosen)
        await update.effective_chat.send_message(t(ROLES_NEED_ONE), reply_markup=roles_keyboard(t, chosen))
        return None
    roles = parse_roles(text)
    if roles is None:
        await update.effective_chat.send_message(t(ROLES_HINT), reply_markup=roles_keyboard(t, chosen))
        return None
    return await _finish(update, context, {r.value for r in roles})


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel during sign-up."""
    context.user_data.pop("signup", None)
    t = await tr(update, context)
    await update.effective_chat.send_message(t(CANCELLED))
    return ConversationHandler.END


async def finish_first(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything else during sign-up: say what to do."""
    if update.callback_query is not None:
        await answer_stale(update, context)
        return
    t = await tr(update, context)
    await update.effective_chat.send_message(t(FINISH_FIRST))


TYPED_TEXT = filters.TEXT & ~filters.COMMAND


def signup_conversation(wiring: Wiring) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            SignUp.LANGUAGE: [
                SU.handler(LanguagePressed, on_language_pressed),
                MessageHandler(TYPED_TEXT, on_language_typed),
            ],
            SignUp.TERMS: [
                SU.handler(TermsPressed, on_terms_pressed),
                MessageHandler(TYPED_TEXT, on_terms_typed),
            ],
            SignUp.ROLES: [
                SU.handler(RolePressed, on_role_pressed),
                MessageHandler(TYPED_TEXT, on_roles_typed),
            ],
        },
        fallbacks=[
            CommandHandler("start", start),
            CommandHandler("cancel", cancel),
            MessageHandler(filters.ALL, finish_first),
            CallbackQueryHandler(finish_first),
        ],
        name="signup",
        persistent=True,
        allow_reentry=True,
    )


FEATURE = Feature(
    name="signup",
    conversations=[signup_conversation],
    commands=[Command("start", N_("Sign up or show the menu"), order=10)],
    codecs=[SU],
)
