"""The payments' part of `verify`: no known charge is left unbooked.

- a payment booked but not applied to its order for STUCK_AFTER is a problem
  (a crash between the two steps that nothing has replayed);
- the last reconciliation with Telegram (stored; verify makes no network call)
  is reported with when it ran, and each disagreement it found is a problem;
- refunds owed and anomalies are counted: owed, not drift.
"""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.ledger import Report
from core.purchases.models import Payment, PaymentAnomaly, PaymentOutcome
from core.purchases.reconcile import last_report

STUCK_AFTER = timedelta(minutes=10)


async def check_payments(report: Report) -> None:
    report.counts["payments"] = await Payment.all().count()
    report.counts["payments owed a refund"] = await Payment.filter(outcome=PaymentOutcome.REFUND_NEEDED).count()
    report.counts["payments that could not be booked (refund)"] = await PaymentAnomaly.filter(
        refunded_at__isnull=True
    ).count()
    stuck = await Payment.filter(outcome=PaymentOutcome.RECEIVED, created_at__lt=utcnow() - STUCK_AFTER)
    for payment in stuck:
        report.problems.append(
            f"payment {payment.telegram_payment_charge_id[:40]} booked at {payment.created_at:%Y-%m-%d %H:%M} "
            "is not applied to its order (run the bot: its inbox replays it)"
        )
    last = await last_report()
    if last is None:
        report.notes.append("Stars: never reconciled with Telegram (`cccp payments reconcile`)")
        return
    report.notes.append(
        f"Stars: last reconciled with Telegram at {last['ran_at']}: {last['checked']} transaction(s) checked, "
        f"{len(last['booked'])} booked then, {len(last['problems'])} disagreement(s)"
    )
    report.problems.extend(f"reconciliation: {p}" for p in last["problems"])
