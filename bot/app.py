"""The composition root: `build_application` wires the bot from its features.

Each feature module exports one `FEATURE` (bot/feature.py); `ALL_FEATURES` lists them.

The only place that calls `add_handler`. Groups, in the order PTB runs them:

   -5  callback data no button of ours carries (empty, over 64 bytes) is answered and
       stops (bot/callbacks.py)
    0  every feature's conversations first (they own a chat while they run), then the
       main-menu labels, then free text through the one router (each feature's
       `readers` by their order: a code, then an id, then a footprint, then a hint),
       then each feature's commands and buttons, in ALL_FEATURES order; help is last,
       its fallbacks answer whatever nobody handled (unknown command, sticker, stale
       button)
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
from collections.abc import Mapping, Sequence

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, deeplinks, menu, outbox, router
from bot.callbacks import Codec
from bot.clock import CLOCK_KEY, Clock
from bot.conversations import buy, footprint, market, merchant, retire, signup
from bot.errors import on_error
from bot.feature import Action, Command, Feature, Wiring
from bot.handlers import account, claim, help, lookup, payments, staff, support, trees
from bot.handlers import settings as settings_handlers
from bot.inbound import InboundApplication
from bot.persistence import DatabasePersistence
from bot.texts import ERROR_TEXTS, ERROR_TEXTS_KEY
from bot.updates import ChatOrderedUpdateProcessor
from core.clock import utcnow
from core.settings import Settings

log = logging.getLogger(__name__)

# Every feature of the bot; the order is the handler order (conversations first, in this
# order, then the menu buttons, then free text, then each feature's handlers). A new feature
# is one module and one line here. The look-up comes before the footprint: the number it
# asks for must not be read as a footprint. Help comes last: its fallbacks answer what
# nobody handled.
ALL_FEATURES: list[Feature] = [
    signup.FEATURE,
    support.FEATURE,
    staff.FEATURE,
    buy.FEATURE,
    retire.FEATURE,
    lookup.FEATURE,
    claim.FEATURE,
    merchant.FEATURE,
    footprint.FEATURE,
    market.FEATURE,
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
    settings: Settings,
    builder: ApplicationBuilder | None = None,
    features: Sequence[Feature] = ALL_FEATURES,
    clock: Clock = utcnow,
) -> Application:
    """The bot with `features` wired; pass a builder to point it elsewhere (tests, sandbox).

    `clock` is the one clock every feature reads (bot/clock.py); tests hand in their own.

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
    actions = {name: action for f in features for name, action in f.actions.items()}
    wiring = Wiring(typed_text=main_menu.typed_text(), entry_points=_entry_points(features, actions),
                    actions=actions, codecs=_codecs(features),
                    cancellers=[cancel for f in features for cancel in f.cancellers])
    application.bot_data["settings"] = settings
    application.bot_data[CLOCK_KEY] = clock
    application.bot_data["default_language"] = settings.default_language
    application.bot_data["unexpected_errors"] = 0
    application.bot_data[menu.MENU_KEY] = main_menu
    application.bot_data[help.COMMANDS_KEY] = _commands(features)
    application.bot_data[deeplinks.DEEPLINKS_KEY] = _deeplinks(features)
    application.bot_data[ERROR_TEXTS_KEY] = _error_texts(features)
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
    application.add_handler(router.handler(wiring.typed_text, [r for f in features for r in f.readers]))
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


def _entry_points(features: Sequence[Feature], actions: Mapping[str, Action]) -> dict[str, list[BaseHandler]]:
    """Conversation name -> the entry points other features add to it."""
    entry_points: dict[str, list[BaseHandler]] = {}
    for feature in features:
        for conversation, factory in feature.entry_points.items():
            entry_points.setdefault(conversation, []).extend(factory(actions))
    return entry_points


def _codecs(features: Sequence[Feature]) -> dict[str, Sequence[Codec]]:
    """Feature name -> its codecs; two features on one callback prefix would take each
    other's buttons, so that is refused."""
    owners: dict[str, str] = {}
    for feature in features:
        for codec in feature.codecs:
            if owners.setdefault(codec.prefix, feature.name) != feature.name:
                raise ValueError(f"callback prefix {codec.prefix!r} claimed twice ({feature.name})")
    return {feature.name: feature.codecs for feature in features}


def _error_texts(features: Sequence[Feature]) -> dict[str, object]:
    """Error code -> its sentence; one code with two sentences (two features, or a feature
    and the common table) would say the wrong thing in one of them, so that is refused."""
    table: dict[str, object] = dict(ERROR_TEXTS)
    for feature in features:
        for code, text in feature.error_texts.items():
            if table.setdefault(code, text) != text:
                raise ValueError(f"error code {code!r} has two sentences ({feature.name})")
    return table


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
