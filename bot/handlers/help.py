"""/help, the command menu per language, and the hints for what the bot cannot use."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import menu
from bot.callbacks import answer_stale
from bot.feature import READ_HINT, Canceller, Command, Feature, Reader, Wiring
from bot.i18n import N_, tr, translator
from bot.members import member
from core import users
from core.i18n import LANGUAGES

COMMANDS_KEY = "commands"  # bot_data: this bot's Commands, in menu order
HELP_COMMAND = Command("help", N_("What this bot can do"), order=90)
CANCEL = Command("cancel", N_("Stop what you are doing"), order=91)
HELP = N_(
    "CCCP lets you offset your carbon footprint with verified credits "
    "(1 credit = 1 t CO2e) and proves it with a signed certificate.\n\n"
    "Commands:"
)
HELP_FOOTER = N_("Every step works with the buttons or by typing.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel.")
UNKNOWN_COMMAND = N_("I do not know that command. Send /help to see what I can do.")
TEXT_HINT = N_("I did not understand that. Use the menu below or send /help.")
MEDIA_HINT = N_("I can only read text and buttons here. Send /help to see what I can do.")


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what CCCP is and the commands."""
    t = await tr(update, context)
    user = await users.get_user(update.effective_user.id)
    commands = context.bot_data[COMMANDS_KEY]
    lines = [t(HELP), *(f"/{c.name} — {t(c.description)}" for c in commands), "", t(HELP_FOOTER)]
    await update.effective_chat.send_message(
        "\n".join(lines), reply_markup=menu.main_menu(context, t, user) if user else None
    )


async def set_commands(application: Application) -> None:
    """The command menu in each language (post_init)."""
    default = application.bot_data.get("default_language", "en")
    for language in LANGUAGES:
        t = translator(language)
        commands = [BotCommand(c.name, t(c.description)[:256]) for c in application.bot_data[COMMANDS_KEY]]
        await application.bot.set_my_commands(commands, language_code=language)
        if language == default:
            await application.bot.set_my_commands(commands)


def cancel_outside(cancellers: Sequence[Canceller]):
    """/cancel outside any conversation: what a feature's reader opened (a question about
    typed text), else there is nothing to cancel."""

    async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        for cancel in cancellers:
            if await cancel(update, context):
                return
        t = await tr(update, context)
        await update.effective_chat.send_message(t(NOTHING_TO_CANCEL))

    return nothing_to_cancel


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command nobody handles."""
    t = await tr(update, context)
    await update.effective_chat.send_message(t(UNKNOWN_COMMAND))


async def read_hint(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> bool:
    """Free text no other reader took (bot/router.py, last): what the bot understands."""
    user, t = await member(update, context)
    if user is not None:
        await update.effective_chat.send_message(t(TEXT_HINT), reply_markup=menu.main_menu(context, t, user))
    return True


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice note... that no flow is waiting for."""
    t = await tr(update, context)
    await update.effective_chat.send_message(t(MEDIA_HINT))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button no handler knows (an old message, a flow that ended)."""
    await answer_stale(update, context)


def handlers(wiring: Wiring) -> list:
    """/help, then (registered last) whatever no feature handled still gets an answer."""
    return [
        CommandHandler("help", show_help),
        CommandHandler("cancel", cancel_outside(wiring.cancellers)),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, other_message),
        CallbackQueryHandler(stale_button),
    ]


FEATURE = Feature(
    name="help",
    handlers=handlers,
    menu_items=[menu.MenuItem(menu.HELP, show_help, order=90)],
    commands=[HELP_COMMAND, CANCEL],
    readers=[Reader("hint", read_hint, order=READ_HINT)],
)
