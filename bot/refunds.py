"""Making a Stars refund at Telegram, then booking it: shared by the payments and staff features."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from core.purchases import service as purchases

log = logging.getLogger(__name__)


async def make_refund(bot: Bot, refund: purchases.RefundToMake) -> None:
    """Give a Stars charge back at Telegram, then book it (which writes the message)."""
    try:
        await bot.refund_star_payment(refund.user_id, refund.charge_id)
    except TelegramError as error:
        if "CHARGE_ALREADY_REFUNDED" not in str(error):  # refunded before a crash: book it now
            log.warning("refund of %s failed: %s", refund.charge_id[:40], error)
            await purchases.record_refund_failure(refund.charge_id, str(error))
            return
    if refund.is_anomaly:
        await purchases.record_anomaly_refund(refund.charge_id)
    else:
        await purchases.record_refund(refund.charge_id)
