"""The composition root: `build_application` wires the whole bot.

The only place that calls `add_handler`. Groups, in the order PTB runs them:

   -5  callback data no button of ours carries (empty, over 64 bytes) is answered and
       stops (bot/callbacks.py)
    0  conversations first (they own a chat while they run), then each topic's
       commands and buttons, the main-menu labels, and last the fallbacks that answer
       whatever nobody handled (unknown command, sticker, stale button)
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
from datetime import timedelta

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, menu, outbox
from bot.conversations import footprint
from bot.conversations.buy import buy_conversation
from bot.conversations.signup import signup_conversation
from bot.errors import on_error
from bot.handlers import account, help, lookup, payments
from bot.handlers import settings as settings_handlers
from bot.inbound import InboundApplication
from bot.persistence import DatabasePersistence
from bot.updates import ChatOrderedUpdateProcessor
from core.purchases import service as purchases
from core.settings import Settings

log = logging.getLogger(__name__)

def _buy_conversation():
    """The buying flow, entered also from a footprint's "Offset now" button."""
    return buy_conversation(extra_entry_points=footprint.offset_entry_points())


# Each topic exports handlers(); later features add their module here.
# The look-up comes before the footprint: the number it asks for must not be read as free text.
CONVERSATIONS = [
    signup_conversation, _buy_conversation, lookup.lookup_conversation, footprint.footprint_conversation,
]
TOPICS = [account, settings_handlers, payments, footprint, lookup, help]
HOLD_EXPIRY_INTERVAL = timedelta(minutes=1)
PAYMENTS_INTERVAL = timedelta(minutes=1)
RECONCILE_INTERVAL = timedelta(minutes=10)

# ConversationHandlers mix message and button steps on purpose (per_message=False).
warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")


async def save_state(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write changed conversation state and user data now, not in a minute."""
    await context.application.update_persistence()


async def expire_holds_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Release holds whose time is up (unpaid purchases among them) and expire old orders."""
    report = await purchases.expire_purchases(payments.now_of(context))
    if report.holds_expired or report.orders_expired:
        log.info("released %d expired holds, expired %d orders", report.holds_expired, report.orders_expired)


async def _post_init(application: Application) -> None:
    await help.set_commands(application)


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


def build_application(settings: Settings, builder: ApplicationBuilder | None = None) -> Application:
    """The fully wired bot; pass a builder to point it elsewhere (tests, sandbox).

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
    application.bot_data["settings"] = settings
    application.bot_data["default_language"] = settings.default_language
    application.bot_data["unexpected_errors"] = 0
    application.bot_data[outbox.RENDERERS_KEY] = {**payments.OUTBOX_RENDERERS}
    application.add_handler(callbacks.guard(), group=-5)
    for conversation in CONVERSATIONS:
        application.add_handler(conversation())
    for topic in TOPICS:
        for handler in topic.handlers():
            application.add_handler(handler)
    application.add_handler(menu.handler())
    for handler in help.fallback_handlers():
        application.add_handler(handler)
    application.add_handler(TypeHandler(Update, save_state), group=100)
    application.add_error_handler(on_error)

    if application.job_queue is not None:
        application.job_queue.run_repeating(
            expire_holds_job, interval=HOLD_EXPIRY_INTERVAL, first=HOLD_EXPIRY_INTERVAL, name="expire_holds"
        )
        application.job_queue.run_repeating(
            payments.payments_job, interval=PAYMENTS_INTERVAL, first=PAYMENTS_INTERVAL, name="payments"
        )
        application.job_queue.run_repeating(
            payments.reconcile_job, interval=RECONCILE_INTERVAL, first=timedelta(seconds=30), name="reconcile"
        )
        application.job_queue.run_repeating(
            outbox.drain_job, interval=outbox.DRAIN_INTERVAL, first=outbox.DRAIN_INTERVAL, name="outbox"
        )
    return application
