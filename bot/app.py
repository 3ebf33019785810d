"""The composition root: `build_application` wires the whole bot.

The only place that calls `add_handler`. Groups, in the order PTB runs them:

  -10  redelivered updates are dropped (Telegram retries an update it thinks we missed)
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
"""

from __future__ import annotations

import logging
import warnings
from collections import OrderedDict
from datetime import timedelta

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, menu
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
RECENT_UPDATES = 10_000
HOLD_EXPIRY_INTERVAL = timedelta(minutes=1)

# ConversationHandlers mix message and button steps on purpose (per_message=False).
warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")


class RecentUpdates:
    """The last update ids handled; a redelivered one (same id) is dropped."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self.size = size
        self._seen: OrderedDict[int, None] = OrderedDict()

    def is_new(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def _drop_redelivered(recent: RecentUpdates):
    async def drop_redelivered(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop a second delivery of an update we already handled."""
        if isinstance(update, Update) and not recent.is_new(update.update_id):
            log.info("dropped redelivered update %s", update.update_id)
            raise ApplicationHandlerStop

    return drop_redelivered


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
    `.request()`), so nothing but the application class, persistence, ordering and
    post_init is set on it.
    """
    if builder is None:
        builder = default_builder(settings)
    application = (
        builder.application_class(InboundApplication)
        .persistence(DatabasePersistence())
        .concurrent_updates(ChatOrderedUpdateProcessor())
        .post_init(_post_init)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data["default_language"] = settings.default_language
    application.bot_data["unexpected_errors"] = 0

    application.add_handler(TypeHandler(Update, _drop_redelivered(RecentUpdates())), group=-10)
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
    return application
