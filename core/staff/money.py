"""Staff money actions: refunds under one policy, goodwill credits, adjustments.

Refund policy (docs/DECISIONS.md, "Staff refunds"):
- `refund_star_payment` gives back a whole Stars charge, never part of one. So a
  Stars payment is refunded only while every credit it bought is still in the
  buyer's account, unretired: one reversing posting moves the credits back to
  the seller and the money (seller's share and fee) back into suspense, the
  payment is marked refund_needed, and the bot makes the refund at Telegram,
  which books suspense -> clearing (core.purchases.record_refund).
- A retirement is never undone. After retirement, or for credits already moved
  on, the only remedy is a goodwill credit of Stars to the user's wallet from
  the adjustments account, with a reason.
- One StaffRefund row per charge (UNIQUE): pressing twice refunds once.
Card payments are refunded at the provider by staff (the Bot API cannot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.catalog.models import Listing
from core.clock import utcnow
from core.ledger import (
    CARBON,
    STARS,
    Leg,
    Role,
    get_account,
    open_account,
    post,
    system_account,
    user_account,
)
from core.ledger.accounts import check_asset
from core.ledger.errors import LedgerError
from core.ledger.models import Account
from core.purchases.models import Payment, PaymentOutcome, Purchase, PurchaseStatus
from core.registry.errors import RegistryError
from core.staff import audit
from core.staff.errors import AlreadyRefunded, BadAmount, NotRefundable, UserNotFound, WouldOverdraw
from core.staff.freezes import check_reason
from core.staff.models import StaffRefund
from core.staff.roles import Level, require
from core.users.models import User

STAFF_REFUND = "staff_refund"  # the payment's reason: the refund message names it
MAX_ADJUST = 10**7  # per action, in the minor unit: a typo of a few zeros is refused


@dataclass(frozen=True)
class RefundView:
    charge_id: str
    user_id: int
    order: str
    total_amount: int
    currency: str
    amount_kg: int
    posting_key: str


async def _payment_for(ref: str) -> Payment:
    ref = str(ref or "").strip()
    payment = await Payment.get_or_none(telegram_payment_charge_id=ref)
    if payment is None:
        purchase = await Purchase.get_or_none(public_id=ref)
        if purchase is not None:
            payment = await Payment.filter(purchase_id=purchase.id).order_by("id").first()
    if payment is None:
        raise NotRefundable(ref=ref[:40], why="unknown")
    return payment


async def refund_preview(ref: str) -> RefundView:
    """What a refund of this order or charge would give back; NotRefundable says why not."""
    payment = await _payment_for(ref)
    if await StaffRefund.filter(charge_id=payment.telegram_payment_charge_id).exists():
        raise AlreadyRefunded(ref=payment.telegram_payment_charge_id[:40])
    if payment.currency != STARS:
        raise NotRefundable(ref=ref[:40], why="card")
    if payment.outcome != PaymentOutcome.COMPLETED or payment.purchase_id is None:
        raise NotRefundable(ref=ref[:40], why="not_completed")
    purchase = await Purchase.get(id=payment.purchase_id)
    if purchase.status != PurchaseStatus.PAID:
        raise NotRefundable(ref=ref[:40], why="not_completed")
    if purchase.retirement_id is not None or purchase.retire_for is not None:
        raise NotRefundable(ref=ref[:40], why="retired")
    buyer = await user_account(purchase.user_id, CARBON)
    if buyer.available < purchase.amount_kg:
        raise NotRefundable(ref=ref[:40], why="spent")
    return RefundView(payment.telegram_payment_charge_id, payment.user_id, purchase.public_id,
                      payment.total_amount, payment.currency, purchase.amount_kg,
                      f"staff-refund:{payment.telegram_payment_charge_id}")


async def refund_payment(actor_id: int, ref: str, reason: str, *, now: datetime | None = None) -> RefundView:
    """Reverse a Stars purchase whose credits are all unretired and mark it for refund.

    The caller then refunds the charge at Telegram (once: a second call raises
    AlreadyRefunded before anything moves)."""
    await require(actor_id, Level.ADMIN, action="refund", now=now)
    reason = check_reason(reason)
    now = now or utcnow()
    view = await refund_preview(ref)
    payment = await Payment.get(telegram_payment_charge_id=view.charge_id)
    purchase = await Purchase.get(id=payment.purchase_id)
    listing = await Listing.get(id=purchase.listing_id)
    seller = await get_account(listing.seller_account_id)
    seller_money = await open_account(seller.owner, seller.role, payment.currency)
    fees = await system_account(Role.FEES, payment.currency)
    suspense = await system_account(Role.SUSPENSE, payment.currency)
    buyer_carbon = await user_account(purchase.user_id, CARBON)
    legs = [Leg(buyer_carbon.id, seller.id, purchase.amount_kg, batch_id=listing.batch_id, is_batch_strict=True),
            Leg(seller_money.id, suspense.id, payment.total_amount - purchase.fee_amount)]
    if purchase.fee_amount:
        legs.append(Leg(fees.id, suspense.id, purchase.fee_amount))
    try:
        async with in_transaction():
            await StaffRefund.create(charge_id=view.charge_id, user_id=view.user_id, actor_id=actor_id,
                                     reason=reason, created_at=now)
            if not await Payment.filter(id=payment.id, outcome=PaymentOutcome.COMPLETED).update(
                outcome=PaymentOutcome.REFUND_NEEDED, reason=STAFF_REFUND
            ):
                raise AlreadyRefunded(ref=view.charge_id[:40])
            await Purchase.filter(id=purchase.id, status=PurchaseStatus.PAID).update(
                status=PurchaseStatus.REFUND_NEEDED, refusal=STAFF_REFUND
            )
            await post(view.posting_key, "refund", legs, memo=f"staff refund of order {purchase.public_id}",
                       metadata={"charge": view.charge_id, "actor": actor_id}, now=now)
            await audit.record(
                actor_id, "refund", target_user_id=view.user_id, target=f"order {view.order}", reason=reason,
                before={"payment": "completed", "credits_kg": buyer_carbon.balance},
                after={"payment": "refund_needed", "credits_kg": buyer_carbon.balance - view.amount_kg,
                       "stars": view.total_amount},
                posting_keys=[view.posting_key, f"refund:{view.charge_id}"], now=now,
            )
    except IntegrityError:  # the second press, at the same moment as the first
        raise AlreadyRefunded(ref=view.charge_id[:40]) from None
    except (LedgerError, RegistryError):
        raise NotRefundable(ref=str(ref)[:40], why="spent") from None
    return view


@dataclass(frozen=True)
class AdjustView:
    user_id: int
    currency: str
    amount: int  # signed: + credits the user, - debits them
    balance_before: int
    balance_after: int
    posting_key: str


async def _move(actor_id: int, action: str, user_id: int, currency: str, amount: int, reason: str,
                key: str, now: datetime | None) -> AdjustView:
    reason = check_reason(reason)
    now = now or utcnow()
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_ADJUST:
        raise BadAmount(currency=str(currency).upper(), amount_minor=amount, maximum_minor=MAX_ADJUST)
    currency = check_asset(str(currency).upper())
    if not await User.filter(id=user_id).exists():
        raise UserNotFound(user=user_id)
    wallet = await user_account(user_id, currency)
    adjustments = await system_account(Role.ADJUSTMENTS, currency)
    leg = Leg(adjustments.id, wallet.id, amount) if amount > 0 else Leg(wallet.id, adjustments.id, -amount)
    posting_key = f"staff:{action}:{key}"
    async with in_transaction():
        before = (await Account.get(id=wallet.id)).balance
        try:
            await post(posting_key, action, [leg], memo=reason, metadata={"actor": actor_id}, now=now)
        except LedgerError:
            raise WouldOverdraw(currency=currency, amount_minor=amount, balance_minor=before) from None
        after = (await Account.get(id=wallet.id)).balance
        await audit.record(actor_id, action, target_user_id=user_id, target=currency, reason=reason,
                           before={"balance": before}, after={"balance": after}, posting_keys=[posting_key],
                           now=now)
    return AdjustView(user_id, currency, amount, before, after, posting_key)


async def adjust(actor_id: int, user_id: int, amount: int, reason: str, *, key: str, currency: str = STARS,
                 now: datetime | None = None) -> AdjustView:
    """Correct a money balance against the adjustments account, only with a reason."""
    await require(actor_id, Level.ADMIN, action="adjust", now=now)
    return await _move(actor_id, "adjustment", user_id, currency, amount, reason, key, now)


async def goodwill(actor_id: int, user_id: int, amount: int, reason: str, *, key: str,
                   now: datetime | None = None) -> AdjustView:
    """The remedy after a retirement: Stars credited to the user's wallet, with a reason."""
    await require(actor_id, Level.ADMIN, action="goodwill", now=now)
    if amount <= 0:
        raise BadAmount(currency=STARS, amount_minor=amount, maximum_minor=MAX_ADJUST)
    return await _move(actor_id, "goodwill", user_id, STARS, amount, reason, key, now)
