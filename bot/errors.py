"""The one error handler: log with a reference, then tell the person.

A DomainError that escaped a handler is a refusal, not a bug: the person gets
its translated sentence (bot/texts.py). Anything else is logged with the update
and traceback under a short reference id, and the person gets a short apology
quoting it, so support can find the log line. Every callback query is answered
even then, once (a handler that answered before it failed is not answered again:
Telegram would refuse, bot/replies.py). `application.bot_data["unexpected_errors"]` counts the bugs (the
fuzz test asserts it stays 0).
"""

from __future__ import annotations

import html
import json
import logging
import secrets
import traceback

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes

from bot.i18n import N_, tr
from bot.replies import answer, was_answered
from bot.texts import error_text, texts_of
from core.errors import DomainError

log = logging.getLogger("bot.errors")

APOLOGY = N_("Sorry, something went wrong on our side. Please try again later. Reference: {ref}")
# Telegram's own refusals of an invoice (sendInvoice): not a bug of ours, and nothing was charged.
INVOICE_REFUSALS = {
    "CURRENCY_TOTAL_AMOUNT_INVALID": N_(
        "Telegram does not accept a card payment of this amount. Nothing was charged: "
        "choose another amount, or pay with Telegram Stars."
    ),
    "PAYMENT_PROVIDER_INVALID": N_(
        "Card payments are not available right now. Nothing was charged: please pay with Telegram Stars."
    ),
}


def new_reference() -> str:
    return secrets.token_hex(4).upper()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the update and traceback with a reference; apologise quoting it."""
    error = context.error
    update = update if isinstance(update, Update) else None
    if isinstance(error, DomainError):
        if update is not None and update.effective_chat is not None:
            t = await tr(update, context)
            if update.callback_query is not None and not was_answered(update):
                await _quietly(answer(update, error_text(t, error, texts_of(context)), alert=True))
            else:
                await _quietly(update.effective_chat.send_message(error_text(t, error, texts_of(context))))
        return
    # PTB capitalises the description ("Currency_total_amount_invalid"): compare ignoring case.
    refusal = next((text for code, text in INVOICE_REFUSALS.items() if code.lower() in str(error).lower()), None)
    if isinstance(error, BadRequest) and refusal and update is not None and update.effective_chat is not None:
        log.warning("Telegram refused an invoice: %s", error)
        t = await tr(update, context)
        await _quietly(answer(update))
        await _quietly(update.effective_chat.send_message(t(refusal)))
        return
    if update is None and isinstance(error, (NetworkError, TimedOut, RetryAfter)):
        # getUpdates failing for a moment: PTB retries on its own.
        log.warning("Telegram did not take a call: %s", error)
        return
    ref = new_reference()
    context.bot_data["unexpected_errors"] = context.bot_data.get("unexpected_errors", 0) + 1
    trace = "".join(traceback.format_exception(None, error, error.__traceback__))
    body = json.dumps(update.to_dict(), ensure_ascii=False)[:4000] if update else repr(update)
    log.error("error %s while handling update %s\n%s", ref, html.escape(body, quote=False), trace)
    if update is None or update.effective_chat is None:
        return
    try:
        t = await tr(update, context)
    except Exception:  # the database itself may be what failed
        from bot.i18n import translator

        t = translator("en")
    await _quietly(answer(update))  # a press not answered yet
    await _quietly(update.effective_chat.send_message(t(APOLOGY, ref=ref)))


async def _quietly(call) -> None:
    """Telling the person must not raise from the error handler itself."""
    try:
        await call
    except Exception as exc:  # noqa: BLE001 - already reporting an error
        log.warning("could not tell the person about an error: %s", exc)
