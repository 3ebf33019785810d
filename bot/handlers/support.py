"""Support: /support lets a person write to staff; staff answer from the support group.

The person's message (text, photo or document) goes to the SUPPORT_CHAT_ID group
through the outbox: in the ticket's own forum topic when the group is a forum
and the bot may manage topics (checked at start, and again when unknown), else
as one message under a short user card. A staff member's message in that topic,
or a reply to any message of the ticket, reaches the person (core checks the
staff role in the database); `/close` in a topic closes its ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Bot, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator, tr
from bot.members import member
from bot.outbox import drain
from bot.replies import echo
from core import users
from core.clock import utcnow
from core.outbox import OutboxMessage
from core.staff import tickets
from core.staff.errors import NotStaff

log = logging.getLogger(__name__)

SUPPORT = Command("support", N_("Write to our support team"), order=80)
ASK = N_("Write your message to our team (text, a photo or a document). /cancel stops.")
SENT = N_("✉️ Sent to our team as ticket #{id}. The answer will come here.")
UNAVAILABLE = N_("Support is not available right now. Please try again later.")
STOPPED = N_("Nothing was sent.")
ONLY_THIS = N_("Please send text, a photo or a document, or /cancel.")
REPLY = N_("💬 Our team (ticket #{id}):\n{text}")
REPLY_MEDIA = N_("💬 Our team sent this (ticket #{id}).")
CLOSED = N_("Your ticket #{id} is closed. Send /support to write to us again.")
CARD = "🎫 #{id} · {name}{username} · id {user} · {language}"
TOPIC_NAME = "#{id} {name}"
FORUM_KEY = "support_is_forum"
WRITING = 1
MEDIA = filters.PHOTO | filters.Document.ALL
# Staff commands work in the support group too (/user, /tickets...): left to the staff feature.
STAFF_COMMAND = r"^/(admin|user|tickets|audit|refund|freeze|unfreeze|adjust|goodwill|broadcast|stats|grant|revoke|approve|issue)\b"
USER_MESSAGE = filters.ChatType.PRIVATE & ((filters.TEXT & ~filters.COMMAND) | MEDIA)


def _content(message: Message) -> tuple[str | None, str | None, str | None]:
    """(text or caption, file id, "photo" | "document" | None)."""
    if message.photo:
        return message.caption, message.photo[-1].file_id, "photo"
    if message.document:
        return message.caption, message.document.file_id, "document"
    return message.text, None, None


async def _submit(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, text: str | None,
                  file_id: str | None, media: str | None) -> None:
    chat_id = context.bot_data["settings"].support_chat_id
    if chat_id is None:
        await update.effective_chat.send_message(t(UNAVAILABLE))
        return
    ticket = await tickets.submit(update.effective_user.id, support_chat_id=chat_id, text=text, file_id=file_id,
                                  media=media, key=f"{update.effective_user.id}:{update.update_id}",
                                  now=context.bot_data.get("clock", utcnow)())
    await update.effective_chat.send_message(t(SENT, id=ticket.id))
    await drain(context.application, chat_id=chat_id)


async def support_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/support [text]: send at once, or ask for the message."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    if context.args:
        await _submit(update, context, t, " ".join(context.args), None, None)
        return ConversationHandler.END
    if context.bot_data["settings"].support_chat_id is None:
        await update.effective_chat.send_message(t(UNAVAILABLE))
        return ConversationHandler.END
    await update.effective_chat.send_message(t(ASK))
    return WRITING


async def on_written(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The message for staff."""
    t = await tr(update, context)
    await _submit(update, context, t, *_content(update.effective_message))
    return ConversationHandler.END


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    await update.effective_chat.send_message(t(ONLY_THIS))
    return WRITING


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    t = await tr(update, context)
    await update.effective_chat.send_message(t(STOPPED))
    return ConversationHandler.END


def support_conversation(wiring: Wiring) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("support", support_command, filters=filters.ChatType.PRIVATE)],
        states={
            WRITING: [MessageHandler(USER_MESSAGE, on_written),
                      MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, on_other)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        name="support",
        persistent=True,
        allow_reentry=True,
    )


# ---- the support group -----------------------------------------------------------------

def _in_support_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.id == context.bot_data["settings"].support_chat_id


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in the support group: a staff reply when it is in a ticket's topic or replies to one."""
    if not _in_support_group(update, context):
        return
    message = update.effective_message
    reply_to = message.reply_to_message
    # A topic message that replies to nothing carries the topic's first message as its reply.
    thread_id = message.message_thread_id if message.is_topic_message else None
    ticket = await tickets.ticket_in_group(message.chat_id, thread_id=thread_id,
                                           reply_to_message_id=reply_to.message_id if reply_to else None)
    if ticket is None or update.effective_user is None:
        return
    text, file_id, media = _content(message)
    try:
        await tickets.answer(update.effective_user.id, ticket.id, text=text, file_id=file_id, media=media,
                             key=f"{message.chat_id}:{message.message_id}",
                             now=context.bot_data.get("clock", utcnow)())
    except NotStaff:
        return  # a member of the group who is not staff: nothing reaches the user
    await tickets.record_relay(ticket.id, message.chat_id, message.message_id, is_from_user=False)
    await drain(context.application, chat_id=ticket.user_id)


async def close_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/close in a ticket's topic (or as a reply to one of its messages)."""
    if not _in_support_group(update, context):
        return
    message = update.effective_message
    reply_to = message.reply_to_message
    ticket = await tickets.ticket_in_group(message.chat_id,
                                           thread_id=message.message_thread_id if message.is_topic_message else None,
                                           reply_to_message_id=reply_to.message_id if reply_to else None)
    if ticket is None:
        return
    try:
        await tickets.close(update.effective_user.id, ticket.id, now=context.bot_data.get("clock", utcnow)())
    except NotStaff:
        return
    await message.reply_text(f"#{ticket.id} ✓")
    await drain(context.application, chat_id=ticket.user_id)


async def is_forum(bot: Bot, bot_data: dict, chat_id: int) -> bool:
    """Whether tickets get forum topics: the group is a forum and the bot may manage topics."""
    if FORUM_KEY not in bot_data:
        try:
            chat = await bot.get_chat(chat_id)
            me = await bot.get_chat_member(chat_id, bot.id)
            bot_data[FORUM_KEY] = bool(chat.is_forum) and bool(getattr(me, "can_manage_topics", False))
        except TelegramError as error:
            log.warning("support group %s cannot be read (%s): tickets go as plain messages", chat_id, error)
            return False
        log.info("support group %s: %s", chat_id,
                 "forum topics per ticket" if bot_data[FORUM_KEY] else "messages with a user card")
    return bot_data[FORUM_KEY]


async def check_support_chat(application: Application) -> None:
    """At start: how tickets will look in the support group (logged)."""
    chat_id = application.bot_data["settings"].support_chat_id
    application.bot_data.pop(FORUM_KEY, None)
    if chat_id is not None:
        await is_forum(application.bot, application.bot_data, chat_id)


async def _send(bot: Bot, chat_id: int, params: Mapping, text: str, **where) -> Message:
    media, file_id = params.get("media"), params.get("file_id")
    if media == "photo" and file_id:
        return await bot.send_photo(chat_id, file_id, caption=text[:1024] or None, **where)
    if media == "document" and file_id:
        return await bot.send_document(chat_id, file_id, caption=text[:1024] or None, **where)
    return await bot.send_message(chat_id, text, **where)


async def _send_to_staff(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    """A user's message into the ticket's topic (opened on first use), or under a user card."""
    p = message.params
    ticket = await tickets.get_ticket(p["ticket"])
    user = await users.get_user(p["user"])
    name = user.first_name if user else str(p["user"])
    text = echo(p.get("text") or "", 3500)
    if await is_forum(bot, bot_data, message.chat_id):
        thread_id = ticket.thread_id
        if thread_id is None:
            topic = await bot.create_forum_topic(message.chat_id, TOPIC_NAME.format(id=ticket.id, name=name)[:128])
            thread_id = topic.message_thread_id
            await tickets.set_thread(ticket.id, message.chat_id, thread_id)
            card = CARD.format(id=ticket.id, name=name, username=f" @{user.username}" if user and user.username else "",
                               user=p["user"], language=(user.language if user else None) or "-")
            sent = await bot.send_message(message.chat_id, card, message_thread_id=thread_id)
            await tickets.record_relay(ticket.id, message.chat_id, sent.message_id, is_from_user=True)
        sent = await _send(bot, message.chat_id, p, text or "…", message_thread_id=thread_id)
    else:
        card = CARD.format(id=ticket.id, name=name, username=f" @{user.username}" if user and user.username else "",
                           user=p["user"], language=(user.language if user else None) or "-")
        sent = await _send(bot, message.chat_id, p, f"{card}\n\n{text}".strip())
    await tickets.record_relay(ticket.id, message.chat_id, sent.message_id, is_from_user=True)


async def _send_reply(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    text = p.get("text") or ""
    if p.get("media"):
        await _send(bot, message.chat_id, p, text or t(REPLY_MEDIA, id=p["ticket"]))
    else:
        await bot.send_message(message.chat_id, t(REPLY, id=p["ticket"], text=text))


async def _send_closed(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    await bot.send_message(message.chat_id, t(CLOSED, id=message.params["ticket"]))


async def _ignore(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Anything else in a group (service messages, other people's commands): no answer, never a hint."""
    return ConversationHandler.END


async def _group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await on_group_message(update, context)
    return ConversationHandler.END


async def _group_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await close_command(update, context)
    return ConversationHandler.END


def group_conversation(wiring: Wiring) -> ConversationHandler:
    """Group chats, before any other feature's free-text reader: a conversation of one step
    (a reply to a ticket is not a footprint to work out)."""
    return ConversationHandler(
        entry_points=[
            CommandHandler("close", _group_close, filters=filters.ChatType.GROUPS),
            MessageHandler(filters.ChatType.GROUPS & ~filters.COMMAND & (filters.TEXT | MEDIA), _group_message),
            MessageHandler(filters.ChatType.GROUPS & ~filters.Regex(STAFF_COMMAND), _ignore),
        ],
        states={},
        fallbacks=[],
        name="support_group",
    )


FEATURE = Feature(
    name="support",
    conversations=[group_conversation, support_conversation],
    commands=[SUPPORT],
    outbox_renderers={"ticket_to_staff": _send_to_staff, "ticket_reply": _send_reply, "ticket_closed": _send_closed},
)

__all__ = ["FEATURE", "check_support_chat"]
