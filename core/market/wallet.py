"""The Stars cash wallet of a trader: top-ups by invoice, withdrawal requests.

The wallet is the user's XTR account (the same one purchases use). A top-up
is an order paid by a Stars invoice with payload `w:<public id>`; core.purchases
books the payment once per charge id into suspense, as for any payment, and
hands it to `apply_topup` (installed by core.setup()), which moves it on to the
wallet if payer, total and currency match the order and it is not paid yet.

Bots cannot send Stars to users. A withdrawal is therefore only a request: its
Stars are held on the wallet (so they cannot be spent twice) until staff settle
it outside the bot and mark it paid (the Stars leave to the clearing account)
or rejected (the hold is released). Nothing here promises a payout.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from core import outbox
from core.clock import utcnow
from core.ledger import (
    STARS,
    Kind,
    Leg,
    Role,
    hold,
    post,
    post_hold,
    system_account,
    user_account,
    void_hold,
)
from core.ledger.errors import InsufficientFunds
from core.market.errors import BadOffer, NotEnoughStars, UnknownWithdrawal
from core.market.models import TopUp, TopUpStatus, Withdrawal, WithdrawalStatus

PAYLOAD_PREFIX = "w:"
MIN_TOPUP_XTR = 1
MAX_TOPUP_XTR = 100_000  # Telegram's upper bound for one Stars invoice is of this order


@dataclass(frozen=True)
class WalletView:
    balance_xtr: int
    held_xtr: int

    @property
    def available_xtr(self) -> int:
        return self.balance_xtr - self.held_xtr


@dataclass(frozen=True)
class TopUpView:
    public_id: str
    user_id: int
    amount_xtr: int
    status: TopUpStatus
    payload: str


@dataclass(frozen=True)
class WithdrawalView:
    id: int
    user_id: int
    amount_xtr: int
    status: WithdrawalStatus
    note: str
    created_at: datetime


async def wallet(user_id: int) -> WalletView:
    account = await user_account(user_id, STARS)
    return WalletView(account.balance, account.held)


def _topup_view(row: TopUp) -> TopUpView:
    return TopUpView(row.public_id, row.user_id, row.amount_xtr, TopUpStatus(row.status),
                     PAYLOAD_PREFIX + row.public_id)


async def start_topup(user_id: int, amount_xtr: int, *, now: datetime | None = None) -> TopUpView:
    """An order for `amount_xtr` Stars; the front end sends its invoice with `payload`."""
    if not isinstance(amount_xtr, int) or isinstance(amount_xtr, bool) or not MIN_TOPUP_XTR <= amount_xtr <= MAX_TOPUP_XTR:
        raise BadOffer(field="topup", value=amount_xtr, minimum=MIN_TOPUP_XTR, maximum=MAX_TOPUP_XTR)
    row = await TopUp.create(public_id="W" + secrets.token_hex(6).upper(), user_id=user_id, amount_xtr=amount_xtr,
                             created_at=now or utcnow())
    return _topup_view(row)


async def _order(payload: str) -> TopUp | None:
    if not isinstance(payload, str) or not payload.startswith(PAYLOAD_PREFIX):
        return None
    return await TopUp.get_or_none(public_id=payload.removeprefix(PAYLOAD_PREFIX)[:16])


async def precheck_topup(payload: str, total_amount: int, currency: str, user_id: int | None) -> str:
    """'' when the invoice may be paid, else the refusal's code (the purchases' codes)."""
    row = await _order(payload)
    if row is None:
        return "order_unknown"
    if user_id is not None and user_id != row.user_id:
        return "not_your_order"
    if row.status == TopUpStatus.PAID:
        return "order_already_paid"
    if total_amount != row.amount_xtr or currency != STARS:
        return "amount_mismatch"
    return ""


async def apply_topup(payload: str, charge_id: str, total_amount: int, currency: str, user_id: int,
                      now: datetime) -> str:
    """Inside the payment's transaction: suspense -> wallet once per order; '' or why not."""
    problem = await precheck_topup(payload, total_amount, currency, user_id)
    if problem:
        return problem
    row = await _order(payload)
    # The conditional UPDATE is the order's lock: of two payments for one top-up, one wins.
    if not await TopUp.filter(id=row.id, status=TopUpStatus.PENDING).update(
        status=TopUpStatus.PAID, charge_id=charge_id, paid_at=now
    ):
        return "order_already_paid"
    suspense = await system_account(Role.SUSPENSE, STARS)
    account = await user_account(user_id, STARS)
    await post(f"topup:{charge_id}", Kind.TOPUP, [Leg(suspense.id, account.id, total_amount)],
               memo=f"top-up {row.public_id}", metadata={"charge": charge_id}, now=now)
    await outbox.enqueue(user_id, "market_topup", {"amount": total_amount, "order": row.public_id},
                         dedup_key=f"market:topup:{charge_id}", now=now)
    return ""


async def request_withdrawal(user_id: int, amount_xtr: int, *, key: str, now: datetime | None = None) -> WithdrawalView:
    """Hold `amount_xtr` of the wallet for staff to settle outside the bot."""
    now = now or utcnow()
    if (done := await Withdrawal.get_or_none(key=key)) is not None:
        return _withdrawal_view(done)
    if not isinstance(amount_xtr, int) or isinstance(amount_xtr, bool) or amount_xtr < 1:
        raise BadOffer(field="withdrawal", value=amount_xtr, minimum=1)
    account = await user_account(user_id, STARS)
    async with in_transaction():
        try:
            reserved = await hold(f"withdrawal:{key}", account.id, amount_xtr, Kind.WITHDRAWAL,
                                  memo="withdrawal request", now=now)
        except InsufficientFunds:
            raise NotEnoughStars(needed=amount_xtr, available=account.available) from None
        row = await Withdrawal.create(key=key, user_id=user_id, amount_xtr=amount_xtr, hold_id=reserved.id,
                                      created_at=now)
    return _withdrawal_view(row)


def _withdrawal_view(row: Withdrawal) -> WithdrawalView:
    return WithdrawalView(row.id, row.user_id, row.amount_xtr, WithdrawalStatus(row.status), row.note,
                          row.created_at)


async def _settle(withdrawal_id: int, status: WithdrawalStatus, note: str, now: datetime | None) -> WithdrawalView:
    now = now or utcnow()
    row = await Withdrawal.get_or_none(id=withdrawal_id)
    if row is None:
        raise UnknownWithdrawal(withdrawal_id=withdrawal_id)
    async with in_transaction():
        if not await Withdrawal.filter(id=row.id, status=WithdrawalStatus.REQUESTED).update(
            status=status, note=note[:500], settled_at=now
        ):
            raise UnknownWithdrawal(withdrawal_id=withdrawal_id, status=row.status)
        if status == WithdrawalStatus.PAID:
            clearing = await system_account(Role.CLEARING, STARS)
            await post_hold(f"withdrawal:{row.id}:paid", row.hold_id, clearing.id, kind=Kind.WITHDRAWAL,
                            memo=note[:200], now=now)
        else:
            await void_hold(f"withdrawal:{row.id}:rejected", row.hold_id, memo=note[:200], now=now)
        await outbox.enqueue(row.user_id, "market_withdrawal", {"amount": row.amount_xtr, "status": status.value},
                             dedup_key=f"market:withdrawal:{row.id}", now=now)
    return _withdrawal_view(await Withdrawal.get(id=row.id))


async def approve_withdrawal(withdrawal_id: int, *, note: str = "", now: datetime | None = None) -> WithdrawalView:
    """Staff paid it outside the bot: the held Stars leave the wallet for the clearing account."""
    return await _settle(withdrawal_id, WithdrawalStatus.PAID, note, now)


async def reject_withdrawal(withdrawal_id: int, *, note: str = "", now: datetime | None = None) -> WithdrawalView:
    """Staff refused it: the held Stars are the wallet's again."""
    return await _settle(withdrawal_id, WithdrawalStatus.REJECTED, note, now)


async def withdrawals(status: WithdrawalStatus | None = WithdrawalStatus.REQUESTED, *, limit: int = 50) -> list[WithdrawalView]:
    """The requests staff have to settle (the staff tools list these)."""
    query = Withdrawal.all() if status is None else Withdrawal.filter(status=status)
    return [_withdrawal_view(r) for r in await query.order_by("id").limit(limit)]
