"""The outbox's plain drain: send the messages core wrote (core/outbox), in order.

Each kind of message has a renderer, given by the feature that owns it, which
draws the text in the recipient's language at send time and sends it. A message
is marked sent right after Telegram accepts it; a crash in between repeats at
most that one message. The notifications work turns this into the paced sender
(per-chat and overall rates, a 429 pausing one chat or everyone).

`drain(application, chat_id=...)` runs right after an update that wrote messages
for its own chat, so a receipt follows the payment at once; a job drains the
rest (and whatever a crash left) every few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.clock import now_of
from bot.i18n import Translator, translator
from core import outbox, users
from core.outbox import OutboxMessage

log = logging.getLogger(__name__)

Renderer = Callable[[Bot, Mapping, Translator, OutboxMessage], Awaitable[None]]
RENDERERS_KEY = "outbox_renderers"
DRAIN_INTERVAL = timedelta(seconds=5)


async def _language_of(chat_id: int, default: str) -> str:
    user = await users.get_user(chat_id)
    return user.language if user is not None and user.language else default


async def drain(application: Application, *, chat_id: int | None = None, limit: int = 50) -> int:
    """Send due messages (one chat's, or all); returns how many were sent."""
    renderers: Mapping[str, Renderer] = application.bot_data.get(RENDERERS_KEY, {})
    default = application.bot_data.get("default_language", "en")
    now = now_of(application)  # the composition root's clock
    sent = 0
    for message in await outbox.claim(chat_id=chat_id, limit=limit, now=now):
        render = renderers.get(message.kind)
        if render is None:
            await outbox.mark_failed(message.id, f"no renderer for {message.kind!r}")
            log.error("outbox: no renderer for %s (message %s)", message.kind, message.id)
            continue
        try:
            t = translator(await _language_of(message.chat_id, default))
            await render(application.bot, application.bot_data, t, message)
        except RetryAfter as error:
            delay = error.retry_after
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            await outbox.mark_retry(message.id, str(error), delay_s=seconds)
        except Forbidden as error:  # blocked the bot: nothing will get through
            await outbox.mark_failed(message.id, f"forbidden: {error}")
        except BadRequest as error:
            await outbox.mark_failed(message.id, f"bad request: {error}")
        except TelegramError as error:
            await outbox.mark_retry(message.id, str(error), delay_s=2 ** min(message.attempts, 8))
        except Exception as error:  # noqa: BLE001 - a renderer's bug must not stop the drain
            log.exception("outbox: message %s (%s) failed", message.id, message.kind)
            await outbox.mark_retry(message.id, repr(error), delay_s=2 ** min(message.attempts, 8))
        else:
            await outbox.mark_sent(message.id)
            sent += 1
    return sent


async def drain_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send whatever waits (a crash's leftovers, messages no update drained)."""
    await outbox.recover_stuck()
    while await drain(context.application, limit=50) == 50:
        pass
