"""Telegram payments: pre-checkout, successful payment, refunds and certificates.

Core decides everything (core.purchases.service); these handlers translate.
Core commits before anything is sent to Telegram: `complete_payment` returns
after its transaction, then the receipt, the certificate photo or the refund
goes out. A refund that Telegram refuses leaves the payment marked
refund_needed in the ledger for staff, and the person is told so.
"""

from __future__ import annotations

import logging
from datetime import datetime

from babel.numbers import format_currency, get_currency_precision
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.i18n import N_, Translator, tr
from bot.replies import answer
from core.certs.models import CertificateKind
from core.certs.render import render_certificate_png_async
from core.certs.signing import load_or_create_key
from core.clock import utcnow
from core.ledger import STARS
from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement
from core.registry import RetirementView

log = logging.getLogger(__name__)

REFUSALS = {
    "order_unknown": N_("We do not know this invoice. Please start again with /buy."),
    "order_already_paid": N_("This order is already paid."),
    "order_expired": N_("This invoice has expired. Please start again with /buy."),
    "amount_mismatch": N_("The price does not match the order. Please start again with /buy."),
    "offer_withdrawn": N_("This offer is no longer available."),
    "sold_out": N_("Sorry, these credits have just sold out. Please choose a smaller amount or another offer."),
    "hold_expired": N_("The reservation of your credits ran out before the payment arrived."),
    "not_your_order": N_("This invoice belongs to someone else."),
}
RECEIPT = N_("✅ Payment received: {total}. Order {order}.\n{amount} CO2e from {project}.")
RECEIPT_KEPT = N_("The credits are in your account. Retire them whenever you like with /retire.")
RECEIPT_RETIRED = N_("Retired for {beneficiary}. Here is your certificate.")
RETIREMENT_PENDING = N_("Your credits are in your account; the retirement will be finished shortly. Send /retire if it is not.")
CERT_CAPTION = N_("Certificate {id}: {amount} CO2e retired for {beneficiary}.\nCheck it at {url}")
CERT_REASON = N_("For: {reason}")
REFUNDED = N_("We could not deliver your credits. {reason} Your {total} have been refunded.")
REFUND_PENDING = N_("We could not deliver your credits. {reason} Our team will refund your {total}; you need not do anything.")
ALREADY_RECORDED = N_("This payment was already recorded.")
FINISHED = N_("This purchase is finished or has expired. Send /buy to start again.")


def now_of(context: ContextTypes.DEFAULT_TYPE) -> datetime:
    """The bot's clock (tests put a controllable one in bot_data["clock"])."""
    return context.bot_data.get("clock", utcnow)()


def price_text(t: Translator, currency: str, minor: int) -> str:
    """500 ⭐, or €7.50 in the person's number format."""
    if currency == STARS:
        return f"{t.number(minor, 0)} ⭐"
    precision = get_currency_precision(currency)
    return format_currency(minor / 10**precision, currency, locale=t.language)


def refusal_text(t: Translator, code: str) -> str:
    return t(REFUSALS.get(code, REFUSALS["offer_withdrawn"]))


def _signing_key(context: ContextTypes.DEFAULT_TYPE):
    key = context.bot_data.get("cert_signing_key")
    if key is None:
        settings = context.bot_data["settings"]
        key = load_or_create_key(settings.cert_signing_key, settings.data_dir / "cert_signing_key")
        context.bot_data["cert_signing_key"] = key
    return key


async def send_certificate(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Translator,
    retirement: RetirementView,
    *,
    kind: CertificateKind = CertificateKind.RETIREMENT,
) -> None:
    """Sign (once per retirement), draw and send the certificate photo with its link."""
    settings = context.bot_data["settings"]
    cert = await certify_retirement(
        retirement, signing_key=_signing_key(context), public_base_url=settings.public_base_url, kind=kind,
        language=t.language,
    )
    png = await render_certificate_png_async(cert)
    caption = t(CERT_CAPTION, id=cert.id, amount=t.tonnes_and_kg(cert.amount_kg),
                beneficiary=cert.beneficiary, url=cert.verify_url)
    if cert.reason:  # what was offset, e.g. the flight the footprint calculator named
        head, _, tail = caption.partition("\n")
        caption = "\n".join([head, t(CERT_REASON, reason=cert.reason), tail])
    await update.effective_chat.send_photo(photo=png, caption=caption)


async def on_pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram asks if it may take the money: core revalidates and holds the credits."""
    query = update.pre_checkout_query
    settings = context.bot_data["settings"]
    verdict = await purchases.precheckout(
        query.invoice_payload,
        query.total_amount,
        query.currency,
        user_id=query.from_user.id,
        now=now_of(context),
        hold_ttl_s=settings.hold_ttl_s,
    )
    if verdict.ok:
        await query.answer(ok=True)
        return
    t = await tr(update, context)
    await query.answer(ok=False, error_message=refusal_text(t, verdict.code))


async def on_successful_payment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The money arrived: core delivers once per charge id, then we tell the person."""
    paid = update.effective_message.successful_payment
    result = await purchases.complete_payment(
        paid.invoice_payload,
        paid.telegram_payment_charge_id,
        paid.total_amount,
        paid.currency,
        user_id=update.effective_user.id,
        provider_payment_charge_id=paid.provider_payment_charge_id or "",
        now=now_of(context),
    )
    t = await tr(update, context)
    chat = update.effective_chat
    if result.is_replay:
        await chat.send_message(t(ALREADY_RECORDED))
        return
    if result.needs_refund:
        await _refund(update, context, t, result)
        return
    order = result.purchase
    lines = [t(RECEIPT, total=price_text(t, result.currency, result.total_amount), order=order.id,
               amount=t.tonnes_and_kg(order.amount_kg), project=order.project_name)]
    if not order.is_retire_now:
        lines.append(t(RECEIPT_KEPT))
    elif result.retirement is not None:
        lines.append(t(RECEIPT_RETIRED, beneficiary=result.retirement.beneficiary))
    else:
        lines.append(t(RETIREMENT_PENDING))
    await chat.send_message("\n".join(lines))
    if result.retirement is not None:
        kind = CertificateKind.PRODUCT if order.product_id else CertificateKind.RETIREMENT
        await send_certificate(update, context, t, result.retirement, kind=kind)


async def _refund(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, result) -> None:
    reason = refusal_text(t, result.reason)
    total = price_text(t, result.currency, result.total_amount)
    if result.currency == STARS:
        try:
            await context.bot.refund_star_payment(update.effective_user.id, result.charge_id)
        except TelegramError as error:
            log.warning("refund of %s failed: %s; left for staff", result.charge_id, error)
        else:
            await purchases.record_refund(result.charge_id, now=now_of(context))
            await update.effective_chat.send_message(t(REFUNDED, reason=reason, total=total))
            return
    # Card payments have no refund in the Bot API: staff refund at the provider, then
    # book it (`cccp purchases refunds`, `cccp purchases record-refund CHARGE_ID`).
    log.warning("payment %s (%s %s) is owed back: %s", result.charge_id, result.total_amount,
                result.currency, result.reason)
    await update.effective_chat.send_message(t(REFUND_PENDING, reason=reason, total=total))


async def on_stale_buy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A buying button from a purchase that is over (paid, cancelled, after a restart)."""
    t = await tr(update, context)
    await answer(update, t(FINISHED), alert=True)


def handlers() -> list:
    return [
        PreCheckoutQueryHandler(on_pre_checkout),
        MessageHandler(filters.SUCCESSFUL_PAYMENT, on_successful_payment),
        CallbackQueryHandler(on_stale_buy_button, pattern=r"^buy:"),
    ]
