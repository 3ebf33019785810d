"""Telegram payments: pre-checkout, successful payment, refunds and certificates.

Core decides everything (core.purchases.service); these handlers translate.
Core commits before anything is sent to Telegram: `complete_payment` returns
after its transaction, then the receipt, the certificate photo or the refund
goes out. A refund that Telegram refuses leaves the payment marked
refund_needed in the ledger for staff, and the person is told so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from telegram import Bot, StarTransaction, TransactionPartnerUser, Update
from telegram.error import TelegramError
from telegram.ext import (
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.clock import now_of
from bot.feature import Feature, Job, Wiring
from bot.i18n import N_, Translator, tr
from bot.orders import INVOICE_LINK_PREFIX, send_certificate
from bot.outbox import drain
from bot.refunds import make_refund
from core import registry
from core.certs.models import CertificateKind
from core.ledger import STARS
from core.outbox import OutboxMessage
from core.purchases import reconcile
from core.purchases import service as purchases
from core.purchases.certificates import retry_failed_certificates
from core.purchases.errors import UnknownOrder
from core.purchases.models import PurchaseStatus

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
    "account_frozen": N_("Your account is frozen, so it cannot buy now. Send /support to ask why."),
    "staff_refund": N_("Our team refunded this purchase."),
}
RECEIPT = N_("✅ Payment received: {total}. Order {order}.\n{amount} CO2e from {project}.")
RECEIPT_KEPT = N_("The credits are in your account. Retire them whenever you like with /retire.")
RECEIPT_RETIRED = N_("Retired for {beneficiary}. Here is your certificate.")
RETIREMENT_PENDING = N_("Your credits are in your account; the retirement will be finished shortly. Send /retire if it is not.")
CERT_DELAYED = N_(
    "Your credits are retired for good (retirement {retirement}): that stands whatever happens. "
    "Your certificate is taking longer to prepare; we will send it here as soon as it is ready. "
    "You can also ask for it again at any time in /history."
)
REFUNDED = N_("We could not deliver your credits. {reason} Your {total} have been refunded.")
STAFF_REFUNDED = N_("{reason} Your {total} have been refunded and the credits went back to the seller.")
REFUND_PENDING = N_("We could not deliver your credits. {reason} Our team will refund your {total}; you need not do anything.")
ALREADY_RECORDED = N_("This payment was already recorded.")
INVOICE_NOT_YOURS = N_("This invoice belongs to someone else: only they can pay it. Send /buy to buy credits for yourself.")
YOUR_ORDER = {
    "waiting": N_("This is your order {order}. Pay it with the Pay button on its invoice in this chat."),
    "paid": N_("Your order {order} is paid. Send /balance to see your credits."),
    "over": N_("Your order {order} is over (expired or refunded). Send /buy to start again."),
}
CARD_BELOW_MINIMUM = N_(
    "Telegram takes card payments in {currency} from {minimum}; this order comes to {total}. "
    "Choose a larger amount, or pay with Telegram Stars."
)
CARD_ABOVE_MAXIMUM = N_(
    "Telegram takes card payments in {currency} up to {maximum}; this order comes to {total}. "
    "Choose a smaller amount and buy the rest in a second order."
)


def refusal_text(t: Translator, code: str) -> str:
    return t(REFUSALS.get(code, REFUSALS["offer_withdrawn"]))


# ---- what core writes to the outbox for a payment (rendered at send time) ----------------

async def _send_receipt(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    lines = [t(RECEIPT, total=t.money(p["currency"], p["total"]), order=p["order"],
               amount=t.tonnes_and_kg(p["amount_kg"]), project=p["project"])]
    if p.get("retire_for") is None:
        lines.append(t(RECEIPT_KEPT))
    elif (await purchases.get_purchase(p["order"])).retirement_id is not None:
        lines.append(t(RECEIPT_RETIRED, beneficiary=p["retire_for"]))
    else:
        lines.append(t(RETIREMENT_PENDING))
    await bot.send_message(message.chat_id, "\n".join(lines))


async def _send_certificate(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    """Sign, draw and send; if that fails the outbox tries again (and the payments job after it),
    and on the first failure the person is told their retirement stands and the certificate follows."""
    retirement = await registry.get_retirement(message.params["retirement"])
    kind = CertificateKind.PRODUCT if message.params.get("kind") == "product" else CertificateKind.RETIREMENT
    try:
        await send_certificate(bot, bot_data, message.chat_id, t, retirement, kind=kind)
    except TelegramError:
        raise
    except Exception:
        if message.attempts == 1 and ":retry:" not in message.dedup_key:
            await bot.send_message(message.chat_id, t(CERT_DELAYED, retirement=retirement.id))
        raise


def _refund_sender(text: str):
    async def send(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
        p = message.params
        # Staff refunded a delivered purchase: nothing failed to arrive, so say what happened.
        template = STAFF_REFUNDED if p["reason"] == "staff_refund" and text == REFUNDED else text
        await bot.send_message(message.chat_id, t(template, reason=refusal_text(t, p["reason"]),
                                                  total=t.money(p["currency"], p["total"])))
    return send


OUTBOX_RENDERERS = {
    "payment_receipt": _send_receipt,
    "certificate": _send_certificate,
    "payment_refunded": _refund_sender(REFUNDED),
    "refund_pending": _refund_sender(REFUND_PENDING),
}


async def continue_invoice_link(update: Update, context: ContextTypes.DEFAULT_TYPE, order_id: str) -> None:
    """/start order_<id>: someone opened a forwarded invoice."""
    t = await tr(update, context)
    try:
        order = await purchases.get_purchase(order_id)
    except UnknownOrder:
        order = None
    if order is None or order.user_id != update.effective_user.id:
        await update.effective_chat.send_message(t(INVOICE_NOT_YOURS))
        return
    state = {PurchaseStatus.PENDING: "waiting", PurchaseStatus.HELD: "waiting", PurchaseStatus.PAID: "paid"}
    await update.effective_chat.send_message(t(YOUR_ORDER[state.get(order.status, "over")], order=order.id))


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
    """The money arrived: core books it once per charge id; the outbox says what happened."""
    paid = update.effective_message.successful_payment
    user_id = update.effective_user.id
    result = await purchases.complete_payment(
        paid.invoice_payload,
        paid.telegram_payment_charge_id,
        paid.total_amount,
        paid.currency,
        user_id=user_id,
        provider_payment_charge_id=paid.provider_payment_charge_id or "",
        now=now_of(context),
    )
    if result.needs_refund and result.currency == STARS:
        await make_refund(context.bot, purchases.RefundToMake(result.charge_id, user_id, result.is_anomaly))
    sent = await drain(context.application, chat_id=update.effective_chat.id)
    if result.is_replay and not sent:
        t = await tr(update, context)
        await update.effective_chat.send_message(t(ALREADY_RECORDED))


def _charge_of(transaction: StarTransaction) -> reconcile.StarCharge | None:
    """A Telegram Stars transaction as core reads it; None for what is not a user's payment."""
    if isinstance(transaction.source, TransactionPartnerUser):
        return reconcile.StarCharge(transaction.id, transaction.source.user.id, transaction.amount,
                                    transaction.source.invoice_payload or "")
    if isinstance(transaction.receiver, TransactionPartnerUser):
        return reconcile.StarCharge(transaction.id, transaction.receiver.user.id, transaction.amount,
                                    is_refund=True)
    return None


async def reconcile_stars(bot: Bot, *, full: bool = False) -> reconcile.ReconcileReport:
    """Compare Telegram's Stars transactions with our payments; book and refund what we missed."""
    async def fetch(offset: int, limit: int) -> list[reconcile.StarCharge | None]:
        page = await bot.get_star_transactions(offset=offset, limit=limit)
        return [_charge_of(t) for t in page.transactions]

    report = await reconcile.reconcile(fetch, full=full)
    for refund in report.to_refund:
        await make_refund(bot, refund)
    if report.booked or report.problems:
        log.warning("reconciliation: booked %d charge(s) only Telegram had; %d problem(s): %s",
                    len(report.booked), len(report.problems), "; ".join(report.problems[:5]))
    return report


async def reconcile_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every few minutes: Telegram's list of Stars charges against ours."""
    await reconcile_stars(context.bot)
    await drain(context.application)


async def payments_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """What a crash or Telegram left undone: retirements of paid orders, Stars refunds."""
    await purchases.finish_retirements(now_of(context))
    await retry_failed_certificates(now_of(context))
    for refund in await purchases.refunds_to_make():
        await make_refund(context.bot, refund)


async def expire_holds_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Release holds whose time is up (unpaid purchases among them) and expire old orders."""
    report = await purchases.expire_purchases(now_of(context))
    if report.holds_expired or report.orders_expired:
        log.info("released %d expired holds, expired %d orders", report.holds_expired, report.orders_expired)


def handlers(wiring: Wiring) -> list:
    return [
        PreCheckoutQueryHandler(on_pre_checkout),
        MessageHandler(filters.SUCCESSFUL_PAYMENT, on_successful_payment),
    ]


HOLD_EXPIRY_INTERVAL = timedelta(minutes=1)
PAYMENTS_INTERVAL = timedelta(minutes=1)
RECONCILE_INTERVAL = timedelta(minutes=10)

FEATURE = Feature(
    name="payments",
    handlers=handlers,
    deeplinks={INVOICE_LINK_PREFIX: continue_invoice_link},
    jobs=[
        Job("expire_holds", expire_holds_job, HOLD_EXPIRY_INTERVAL),
        Job("payments", payments_job, PAYMENTS_INTERVAL),
        Job("reconcile", reconcile_job, RECONCILE_INTERVAL, first=timedelta(seconds=30)),
    ],
    outbox_renderers=OUTBOX_RENDERERS,
    error_texts={"card_below_minimum": CARD_BELOW_MINIMUM, "card_above_maximum": CARD_ABOVE_MAXIMUM},
)
