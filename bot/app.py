"""The composition root: `build_application` wires the bot from its features.

Each feature module exports one `FEATURE` (bot/feature.py); `ALL_FEATURES` lists them.

The only place that calls `add_handler`. Groups, in the order PTB runs them:

   -5  callback data no button of ours carries (empty, over 64 bytes) is answered and
       stops (bot/callbacks.py)
    0  every feature's conversations first (they own a chat while they run), then the
       main-menu labels, then each feature's commands and buttons, in ALL_FEATURES
       order; help is last, its fallbacks answer whatever nobody handled (unknown
       command, sticker, stale button)
  100  conversation state and user data are written to the database after every update,
       so a crash loses nothing (unchanged data is not rewritten)

Updates of different chats are handled at once, those of one chat in order
(bot/updates.py: a lock per chat, under PTB's `concurrent_updates`). Before any
handler, control characters are cleaned out of the update (bot/inbound.py).

The Application has no Updater: updates come from the durable inbox
(bot/inbox.py), which stores each one before it is acknowledged and hands it
over once; `cccp run` starts the InboxRunner (polling, or fed by the webhook).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, deeplinks, menu, outbox
from bot.conversations import buy, footprint, signup
from bot.errors import on_error
from bot.feature import Command, Feature, Wiring
from bot.handlers import account, help, lookup, payments, staff, support
from bot.handlers import settings as settings_handlers
from bot.handlers import trees
from bot.inbound import InboundApplication
from bot.persistence import DatabasePersistence
from bot.texts import ERROR_TEXTS, ERROR_TEXTS_KEY
from bot.updates import ChatOrderedUpdateProcessor
from core.settings import Settings

log = logging.getLogger(__name__)

# Every feature of the bot; the order is the handler order (conversations first, in this
# order, then the menu buttons, then each feature's handlers). A new feature is one module
# and one line here. The look-up comes before the footprint: the number it asks for must
# not be read as free text. Help comes last: its fallbacks answer what nobody handled.
ALL_FEATURES: list[Feature] = [
    signup.FEATURE,
    support.FEATURE,
    staff.FEATURE,
    buy.FEATURE,
    lookup.FEATURE,
    footprint.FEATURE,
    account.FEATURE,
    settings_handlers.FEATURE,
    payments.FEATURE,
    trees.FEATURE,
    help.FEATURE,
]

# ConversationHandlers mix message and button steps on purpose (per_message=False).
warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")


async def save_state(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write changed conversation state and user data now, not in a minute."""
    await context.application.update_persistence()


async def _post_init(application: Application) -> None:
    await help.set_commands(application)
    await staff.on_start(application)  # ADMIN_IDS mirrored into the database (logged)
    await support.check_support_chat(application)  # forum topics per ticket, or plain messages


def default_builder(settings: Settings) -> ApplicationBuilder:
    """A builder for the Bot API at TELEGRAM_API_URL, with timeouts for a real network."""
    return (
        Application.builder()
        .token(settings.bot_token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .connect_timeout(10)
        .read_timeout(15)
        .get_updates_read_timeout(40)
    )


def build_application(
    settings: Settings, builder: ApplicationBuilder | None = None, features: Sequence[Feature] = ALL_FEATURES
) -> Application:
    """The bot with `features` wired; pass a builder to point it elsewhere (tests, sandbox).

    A builder handed in keeps its own request settings (PTB refuses timeouts after
    `.request()`), so nothing but the application class, persistence, ordering,
    post_init and "no Updater" (the inbox feeds the bot) is set on it.
    """
    if builder is None:
        builder = default_builder(settings)
    application = (
        builder.application_class(InboundApplication)
        .updater(None)
        .persistence(DatabasePersistence())
        .concurrent_updates(ChatOrderedUpdateProcessor())
        .post_init(_post_init)
        .build()
    )
    main_menu = menu.Menu(item for feature in features for item in feature.menu_items)
    wiring = Wiring(typed_text=main_menu.typed_text(), entry_points=_entry_points(features))
    application.bot_data["settings"] = settings
    application.bot_data["default_language"] = settings.default_language
    application.bot_data["unexpected_errors"] = 0
    application.bot_data[menu.MENU_KEY] = main_menu
    application.bot_data[help.COMMANDS_KEY] = _commands(features)
    application.bot_data[deeplinks.DEEPLINKS_KEY] = _deeplinks(features)
    application.bot_data[ERROR_TEXTS_KEY] = {
        **ERROR_TEXTS, **{code: text for f in features for code, text in f.error_texts.items()}
    }
    application.bot_data[outbox.RENDERERS_KEY] = {
        kind: render for f in features for kind, render in f.outbox_renderers.items()
    }
    application.bot_data[outbox.SENDER_KEY] = outbox.OutboxSender(
        application.bot, application.bot_data, pacing=outbox.pacing_from(settings)
    )

    application.add_handler(callbacks.guard(), group=-5)
    for feature in features:
        for conversation in feature.conversations:
            application.add_handler(conversation(wiring))
    application.add_handler(main_menu.handler())
    for feature in features:
        for handler in feature.handlers(wiring) if feature.handlers else ():
            application.add_handler(handler)
    application.add_handler(TypeHandler(Update, save_state), group=100)
    application.add_error_handler(on_error)

    if application.job_queue is not None:
        for feature in features:
            for job in feature.jobs:
                application.job_queue.run_repeating(
                    job.callback, interval=job.interval, first=job.first or job.interval, name=job.name
                )
    return application


def _entry_points(features: Sequence[Feature]) -> dict[str, list[BaseHandler]]:
    """Conversation name -> the entry points other features add to it."""
    entry_points: dict[str, list[BaseHandler]] = {}
    for feature in features:
        for conversation, factory in feature.entry_points.items():
            entry_points.setdefault(conversation, []).extend(factory())
    return entry_points


def _commands(features: Sequence[Feature]) -> list[Command]:
    """The commands for /help and set_my_commands, in their order (first claim of a name wins)."""
    commands: dict[str, Command] = {}
    for feature in features:
        for command in feature.commands:
            commands.setdefault(command.name, command)
    return sorted(commands.values(), key=lambda c: c.order)


def _deeplinks(features: Sequence[Feature]) -> dict[str, deeplinks.Continuation]:
    """Deep-link prefix -> continuation; two features claiming one prefix is a bug."""
    table: dict[str, deeplinks.Continuation] = {}
    for feature in features:
        for prefix, continuation in feature.deeplinks.items():
            if prefix in table:
                raise ValueError(f"deep-link prefix {prefix!r} claimed twice ({feature.name})")
            table[deeplinks.check_prefix(prefix)] = continuation
    return table
