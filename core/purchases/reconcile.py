"""Reconciliation with Telegram, the outside truth for Stars.

Telegram lists every Stars charge the bot took (getStarTransactions, in
chronological order; an incoming payment's id is its telegram_payment_charge_id,
a refund carries the id of the charge it gave back). `reconcile` pages that list
from a stored cursor and compares it with the payments table:

- a charge Telegram has and we don't is booked now, exactly as its
  successful_payment would have been (the order completed, or refunded);
- a refund Telegram made that we did not book is booked;
- anything else that disagrees (an amount, a payer) is reported.

The result is stored (kv namespace "payments", key "reconcile"), so `cccp verify`
can say when it last ran and what it found without a network call. Card
charges are not listed by Telegram: for them the durable inbox is the guarantee.
Core does not talk to Telegram: the caller hands in `fetch(offset, limit)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from core.clock import utcnow
from core.kv import store as kv
from core.ledger import STARS
from core.purchases import service
from core.purchases.models import Payment, PaymentAnomaly, PaymentOutcome

NAMESPACE = "payments"
KEY = "reconcile"
PAGE = 100
# Each run starts this many transactions before the stored cursor, so a charge whose
# row went missing after the last run is still seen; `full=True` reads everything.
OVERLAP = 200


@dataclass(frozen=True)
class StarCharge:
    """One entry of getStarTransactions, as core needs it."""

    charge_id: str
    user_id: int | None
    amount: int
    payload: str = ""
    is_refund: bool = False  # the bot paid this back to the user


@dataclass
class ReconcileReport:
    ran_at: str
    checked: int = 0
    booked: list[str] = field(default_factory=list)  # charges found only at Telegram, booked now
    refunds_booked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    to_refund: list[service.RefundToMake] = field(default_factory=list)
    cursor: int = 0
    booked_total: int = 0  # charges booked by reconciliation since the first run
    problems_total: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.problems

    def stored(self) -> dict:
        data = asdict(self)
        data.pop("to_refund")
        return data


Fetch = Callable[[int, int], Awaitable[list[StarCharge | None]]]  # None: not a user's payment


async def last_report() -> dict | None:
    """What the last run stored (ran_at, checked, booked, refunds_booked, problems, cursor)."""
    return (await kv.get_namespace(NAMESPACE)).get(KEY)


async def reconcile(fetch: Fetch, *, full: bool = False, now: datetime | None = None) -> ReconcileReport:
    """Compare Telegram's Stars transactions with ours; book what only Telegram has."""
    now = now or utcnow()
    previous = await last_report()
    start = 0 if full or previous is None else max(int(previous.get("cursor", 0)) - OVERLAP, 0)
    report = ReconcileReport(ran_at=now.isoformat(), cursor=start)
    before = previous or {}
    while True:
        page = await fetch(report.cursor, PAGE)
        for charge in page:
            if charge is not None:
                await _check(charge, report, now)
        report.cursor += len(page)
        if len(page) < PAGE:
            break
    report.booked_total = int(before.get("booked_total", 0)) + len(report.booked)
    report.problems_total = int(before.get("problems_total", 0)) + len(report.problems)
    await kv.set_value(NAMESPACE, KEY, report.stored(), now=now)
    return report


async def _check(charge: StarCharge, report: ReconcileReport, now: datetime) -> None:
    report.checked += 1
    payment = await Payment.get_or_none(telegram_payment_charge_id=charge.charge_id)
    if charge.is_refund:
        if payment is None:
            if not await PaymentAnomaly.filter(charge_id=charge.charge_id).exists():
                report.problems.append(f"refund of {charge.charge_id} that we never booked as a payment")
            else:
                await service.record_anomaly_refund(charge.charge_id, now=now)
        elif payment.outcome == PaymentOutcome.REFUND_NEEDED:
            await service.record_refund(charge.charge_id, now=now)
            report.refunds_booked.append(charge.charge_id)
        elif payment.outcome != PaymentOutcome.REFUNDED:
            report.problems.append(f"Telegram refunded {charge.charge_id}, which we delivered ({payment.outcome})")
        return
    if payment is None:
        if await PaymentAnomaly.filter(charge_id=charge.charge_id).exists():
            return
        if charge.user_id is None:
            report.problems.append(f"charge {charge.charge_id} names no payer")
            return
        result = await service.complete_payment(
            charge.payload, charge.charge_id, charge.amount, STARS, user_id=charge.user_id, now=now
        )
        report.booked.append(charge.charge_id)
        if result.needs_refund:
            report.to_refund.append(service.RefundToMake(charge.charge_id, charge.user_id, result.is_anomaly))
        return
    if payment.total_amount != charge.amount or (charge.user_id is not None and payment.user_id != charge.user_id):
        report.problems.append(
            f"charge {charge.charge_id}: Telegram {charge.amount} XTR from {charge.user_id}, "
            f"we {payment.total_amount} from {payment.user_id}"
        )
