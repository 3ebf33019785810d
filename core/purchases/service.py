"""Buying credits and CCCP products: order, pre-checkout, payment, refund.

The sequence follows Telegram's payments (DESIGN: Telegram Stars pitfalls):

1. `start_purchase` prices the item with the one rounding rule and stores a
   pending order; the invoice payload is `p:<public id>` (<= 128 bytes).
2. `precheckout` revalidates everything (order pending, amount and currency,
   offer still for sale, enough credits) and HOLDS the seller's credits from
   the listing's batch for HOLD_TTL_S. Nothing is credited here: Telegram may
   still fail to take the money.
3. `complete_payment` runs on `successful_payment`, keyed by Telegram's
   charge id (UNIQUE in the database): the same update twice moves nothing
   twice. In one database transaction the money arrives from the outside
   world (`system`/`clearing`) into the buyer's wallet and goes on to the
   seller (less the listing's fee), and the held credits move to the buyer.
   A hold that lapsed, an offer withdrawn or a second payment for a paid
   order is recorded as money in and marked for refund instead; the front
   end refunds (`refund_star_payment`) and then calls `record_refund`.
4. Credits the buyer asked to retire are retired for the beneficiary in that
   same transaction (its own idempotency key), with the certificate's outbox
   message: a paid order is delivered and retired, or neither. Orders paid
   before delivery and retirement were one transaction may still be delivered
   and not retired; `finish_retirements` (the payments job) and a redelivered
   payment finish them.

Every completed purchase records a ReductionOrder (seed claim: a purchase
starts a carbon reduction process).

Nothing here talks to Telegram; callers send messages after these return,
outside any transaction.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import ids, outbox, registry, users
from core.catalog import service as catalog
from core.catalog.errors import CatalogError, NotWholeUnits, SoldOut
from core.catalog.pricing import check_purchase_kg
from core.clock import utcnow
from core.ledger import (
    CARBON,
    STARS,
    HoldStatus,
    Leg,
    Role,
    get_account,
    get_hold,
    get_posting,
    hold,
    open_accounts,
    post,
    post_hold,
    system_account,
    system_name,
    user_account,
    user_name,
    void_hold,
)
from core.ledger import expire_holds as expire_ledger_holds
from core.ledger.errors import LedgerError
from core.purchases import errors
from core.purchases.card_limits import check_card_total
from core.purchases.models import (
    Payment,
    PaymentAnomaly,
    PaymentOutcome,
    Purchase,
    PurchaseStatus,
    ReductionOrder,
    ReductionStatus,
)
from core.staff.freezes import frozen_reason

log = logging.getLogger(__name__)

PAYLOAD_PREFIX = "p:"
# Order ids: "O" and 10 characters of Crockford base 32 (core.ids); orders made
# before that carry 11 characters of base64url, and still resolve.
ORDER_ID_PREFIX = "O"
ORDER_ID_LENGTH = 10
MAX_PAYLOAD_BYTES = 128  # Telegram's limit on an invoice payload
DEFAULT_HOLD_TTL_S = 900
# An invoice message stays payable in the chat; an order older than this is
# refused at pre-checkout (the buyer starts again at today's price).
ORDER_TTL_S = 24 * 3600
MAX_BENEFICIARY_CHARS = 200
MAX_REASON_CHARS = 300
MAX_UNITS = 1_000  # product units in one order
PAID_STATES = (PurchaseStatus.PAID, PurchaseStatus.REFUND_NEEDED, PurchaseStatus.REFUNDED)


@dataclass(frozen=True)
class PurchaseView:
    id: str  # public id
    user_id: int
    item_ref: str
    listing_id: int
    product_id: int | None
    product_name: str
    project_code: str
    project_name: str
    vintage: int
    units: int
    amount_kg: int
    currency: str
    unit_price: int  # per tonne (listings) or per unit (products)
    total_amount: int
    fee_amount: int
    retire_for: str | None
    reason: str
    status: PurchaseStatus
    hold_expires_at: datetime | None
    order_expires_at: datetime
    retirement_id: str | None
    created_at: datetime
    paid_at: datetime | None

    @property
    def payload(self) -> str:
        """The invoice payload that names this order."""
        return PAYLOAD_PREFIX + self.id

    @property
    def is_retire_now(self) -> bool:
        return self.retire_for is not None


@dataclass(frozen=True)
class PrecheckoutAnswer:
    ok: bool
    code: str = ""  # a refusal code of core.purchases.errors when not ok
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentResult:
    outcome: PaymentOutcome
    charge_id: str
    total_amount: int
    currency: str
    purchase: PurchaseView | None
    reason: str = ""  # why a refund is needed
    is_replay: bool = False  # this charge id was recorded before
    retirement: registry.RetirementView | None = None
    is_anomaly: bool = False  # could not be booked at all (PaymentAnomaly): refund only

    @property
    def needs_refund(self) -> bool:
        return self.outcome == PaymentOutcome.REFUND_NEEDED


@dataclass(frozen=True)
class ExpiryReport:
    holds_expired: int
    orders_released: int  # held orders whose hold lapsed: back to pending
    orders_expired: int


@dataclass(frozen=True)
class ReductionOrderView:
    id: int
    purchase_id: str
    amount_kg: int
    status: ReductionStatus
    project_code: str
    created_at: datetime
    retirement_id: str | None = None  # the purchase's retirement, when its credits were retired


# Other orders paid by a Stars invoice, told apart by their payload's prefix (the market's
# top-ups, "w:"): prefix -> (precheck, apply). core.setup() installs them; the payment is
# booked into suspense as any other, and `apply` moves it on inside _apply's transaction.
# precheck(payload, total, currency, user_id) and apply(payload, charge, total, currency,
# user_id, now) return '' when all is well, else a refusal code.
_other_orders: dict[str, tuple] = {}


def register_order_kind(prefix: str, precheck, apply) -> None:
    """Let another area sell something by invoice through this payment flow."""
    _other_orders[prefix] = (precheck, apply)


def _other_order(payload: object) -> tuple | None:
    if isinstance(payload, str):
        for prefix, handlers in _other_orders.items():
            if payload.startswith(prefix):
                return handlers
    return None


def payload_of(public_id: str) -> str:
    return PAYLOAD_PREFIX + public_id


def parse_payload(payload: str) -> str | None:
    """The order's public id in an invoice payload, or None if it is not ours."""
    if not isinstance(payload, str) or not payload.startswith(PAYLOAD_PREFIX):
        return None
    public_id = payload.removeprefix(PAYLOAD_PREFIX)
    if not public_id or len(public_id) > 16 or not all(c.isalnum() or c in "-_" for c in public_id):
        return None
    return public_id


def _item_ref(row: Purchase) -> str:
    return f"P{row.product_id}" if row.product_id else f"L{row.listing_id}"


async def _card(row: Purchase) -> catalog.Item:
    """The card of the order's listing or product (one read)."""
    return await catalog.get_item(_item_ref(row))


async def _item_of(row: Purchase) -> catalog.Item | None:
    """The order's card, or None if it is gone."""
    try:
        return await _card(row)
    except CatalogError:
        return None


async def _view(row: Purchase) -> PurchaseView:
    return _view_with(row, await _card(row))


def _view_with(row: Purchase, item: catalog.Item) -> PurchaseView:
    """The order as the front ends show it, with the card of what it buys."""
    listing = catalog.listing_of(item)
    product = item if isinstance(item, catalog.ProductCard) else None
    return PurchaseView(
        id=row.public_id,
        user_id=row.user_id,
        item_ref=item.ref,
        listing_id=listing.id,
        product_id=product.id if product else None,
        product_name=product.name if product else "",
        project_code=listing.project_code,
        project_name=listing.project_name,
        vintage=listing.vintage,
        units=row.units,
        amount_kg=row.amount_kg,
        currency=row.currency,
        unit_price=row.price_per_t,
        total_amount=row.total_amount,
        fee_amount=row.fee_amount,
        retire_for=row.retire_for,
        reason=row.reason,
        status=PurchaseStatus(row.status),
        hold_expires_at=row.hold_expires_at,
        order_expires_at=row.order_expires_at,
        retirement_id=row.retirement_id,
        created_at=row.created_at,
        paid_at=row.paid_at,
    )


def check_beneficiary(name: str) -> str:
    """The name for a certificate, spaces tidied; InvalidBeneficiary unless it has a
    letter or digit (an emoji alone names no one) and at most MAX_BENEFICIARY_CHARS."""
    name = " ".join(str(name or "").split())
    if not any(c.isalnum() for c in name) or len(name) > MAX_BENEFICIARY_CHARS:
        raise errors.InvalidBeneficiary(max_chars=MAX_BENEFICIARY_CHARS)
    return name


def check_reason(reason: str) -> str:
    """A retirement's reason, spaces tidied; ReasonTooLong over MAX_REASON_CHARS."""
    reason = " ".join(str(reason or "").split())
    if len(reason) > MAX_REASON_CHARS:
        raise errors.ReasonTooLong(max_chars=MAX_REASON_CHARS)
    return reason


def cut_reason(reason: str) -> str:
    """A reason handed over by another feature (a footprint's description), tidied and cut
    to MAX_REASON_CHARS so it always fits a retirement."""
    return " ".join(str(reason or "").split())[:MAX_REASON_CHARS]


def must_retire(item_ref: str) -> bool:
    """Products are always retired for someone; listings' credits may be kept."""
    return catalog.is_product_ref(item_ref)


def kg_of_units(item: catalog.Item, units: int) -> int:
    """The kg `units` of a product carry (units × kg per unit); BadUnits outside 1..MAX_UNITS."""
    if not isinstance(item, catalog.ProductCard):
        raise NotWholeUnits(item=item.ref, kg_per_unit=1, amount_kg=units)
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        raise errors.BadUnits(max_units=MAX_UNITS)
    return units * item.kg_per_unit


async def quote_units(item_ref: str, units: int, *, currency: str = STARS) -> catalog.Quote:
    """The price of `units` of a product now (its kg is units × kg per unit)."""
    item = await catalog.get_item(item_ref)
    return await quote(item_ref, kg_of_units(item, units), currency=currency)


async def check_can_retire(user_id: int, amount_kg: int) -> int:
    """`amount_kg` when the user holds that much unretired (and not held for an offer);
    NotEnoughCredits (with available_kg) otherwise."""
    available = (await users.balances(user_id)).available_kg
    if amount_kg > available:
        raise errors.NotEnoughCredits(available_kg=available, amount_kg=amount_kg)
    return amount_kg


def _clean_beneficiary(name: str | None) -> str | None:
    return None if name is None else check_beneficiary(name)


_clean_reason = check_reason


async def quote(item_ref: str, amount_kg: int, *, currency: str = STARS) -> catalog.Quote:
    """The price of `amount_kg` of an item now; SoldOut when the seller has less."""
    item = await catalog.get_item(item_ref)
    priced = catalog.quote(item, amount_kg, currency=currency)
    if currency != STARS:  # Telegram refuses a card invoice below its minimum or above its maximum
        check_card_total(currency, priced.total)
    available = catalog.listing_of(item).available_kg
    if available < amount_kg:
        raise SoldOut(item=item_ref, available_kg=available, amount_kg=amount_kg)
    return priced


async def start_purchase(
    user_id: int,
    item_ref: str,
    amount_kg: int,
    *,
    currency: str = STARS,
    retire_for: str | None = None,
    reason: str = "",
    key: str,
    now: datetime | None = None,
) -> PurchaseView:
    """Price the item and store a pending order; the same key returns the same order.

    `retire_for` names the beneficiary to retire the credits for right after
    payment; None keeps them in the buyer's account. Products are always
    retired for someone.
    """
    if (existing := await Purchase.get_or_none(key=key)) is not None:
        return await _view(existing)
    now = now or utcnow()
    amount_kg = check_purchase_kg(amount_kg)
    item = await catalog.get_item(item_ref)
    priced = await quote(item_ref, amount_kg, currency=currency)
    beneficiary = _clean_beneficiary(retire_for)
    if must_retire(item.ref) and beneficiary is None:
        raise errors.BeneficiaryRequired(item=item_ref)
    listing = catalog.listing_of(item)
    try:
        row = await Purchase.create(
            public_id=ids.new_id(ORDER_ID_PREFIX, ORDER_ID_LENGTH),
            key=key,
            user_id=user_id,
            listing_id=listing.id,
            product_id=item.id if isinstance(item, catalog.ProductCard) else None,
            units=priced.units,
            amount_kg=amount_kg,
            currency=currency,
            price_per_t=priced.unit_price,
            total_amount=priced.total,
            fee_amount=priced.fee,
            retire_for=beneficiary,
            reason=_clean_reason(reason),
            status=PurchaseStatus.PENDING,
            order_expires_at=now + timedelta(seconds=ORDER_TTL_S),
            created_at=now,
        )
    except IntegrityError:  # a twin request with the same key won the race
        return await _view(await Purchase.get(key=key))
    return await _view(row)


async def get_purchase(public_id: str) -> PurchaseView:
    row = await Purchase.get_or_none(public_id=public_id)
    if row is None:
        raise errors.UnknownOrder(order=public_id)
    return await _view(row)


async def _order_for(payload: str) -> Purchase | None:
    public_id = parse_payload(payload)
    return None if public_id is None else await Purchase.get_or_none(public_id=public_id)


def _refuse(code: str, **params: object) -> PrecheckoutAnswer:
    return PrecheckoutAnswer(ok=False, code=code, params=params)


def _offer_problem(row: Purchase, item: catalog.Item | None, *, needed_kg: int) -> tuple[str, dict] | None:
    """Why the order's offer (`item`, from _item_of) cannot be delivered now, or None if it can."""
    if item is None or not catalog.is_for_sale(item):
        return errors.OFFER_WITHDRAWN, {}
    available = catalog.listing_of(item).available_kg
    if available < needed_kg:
        return errors.SOLD_OUT, {"available_kg": available, "amount_kg": row.amount_kg}
    return None


async def precheckout(
    payload: str,
    total_amount: int,
    currency: str,
    *,
    user_id: int | None = None,
    now: datetime | None = None,
    hold_ttl_s: int = DEFAULT_HOLD_TTL_S,
) -> PrecheckoutAnswer:
    """Revalidate the order and hold the seller's credits; idempotent per order."""
    now = now or utcnow()
    if (other := _other_order(payload)) is not None:
        code = await other[0](payload, total_amount, currency, user_id)
        return _refuse(code) if code else PrecheckoutAnswer(ok=True)
    row = await _order_for(payload)
    if row is None:
        return _refuse(errors.ORDER_UNKNOWN)
    if user_id is not None and user_id != row.user_id:
        return _refuse(errors.NOT_YOUR_ORDER)
    if row.status in PAID_STATES:
        return _refuse(errors.ORDER_ALREADY_PAID)
    if (frozen := await frozen_reason(row.user_id)) is not None:  # before Telegram takes any money
        return _refuse(errors.ACCOUNT_FROZEN, reason=frozen)
    if row.status == PurchaseStatus.EXPIRED or now >= row.order_expires_at:
        return _refuse(errors.ORDER_EXPIRED)
    if total_amount != row.total_amount or currency != row.currency:
        return _refuse(errors.AMOUNT_MISMATCH)
    item = await _item_of(row)
    if row.status == PurchaseStatus.HELD and row.hold_id is not None:
        current = await get_hold(row.hold_id)
        if current.status == HoldStatus.PENDING and (current.expires_at or now) > now:
            # The buyer pressed Pay again: the credits are still reserved.
            if (problem := _offer_problem(row, item, needed_kg=0)) is not None:
                return _refuse(problem[0], **problem[1])
            return PrecheckoutAnswer(ok=True)
    if (problem := _offer_problem(row, item, needed_kg=row.amount_kg)) is not None:
        return _refuse(problem[0], **problem[1])
    listing = catalog.listing_of(item)
    attempt = row.hold_attempt + 1
    expires_at = now + timedelta(seconds=hold_ttl_s)
    try:
        async with in_transaction():
            # The conditional update is the lock: two pre-checkouts of one order
            # cannot both reserve credits.
            if not await Purchase.filter(
                id=row.id, hold_attempt=row.hold_attempt, status__in=(PurchaseStatus.PENDING, PurchaseStatus.HELD)
            ).update(hold_attempt=attempt):
                fresh = await Purchase.get(id=row.id)
                if fresh.status == PurchaseStatus.HELD:
                    return PrecheckoutAnswer(ok=True)
                return _refuse(errors.ORDER_ALREADY_PAID if fresh.status in PAID_STATES else errors.ORDER_EXPIRED)
            await _release_hold(row, now)
            reserved = await hold(
                f"purchase:{row.public_id}:hold:{attempt}",
                listing.seller_account_id,
                row.amount_kg,
                "purchase",
                memo=f"order {row.public_id}",
                metadata={"purchase": row.public_id},
                expires_at=expires_at,
                # The buyer chose this listing's project: its serials or none.
                batch_id=listing.batch_id,
                is_batch_strict=True,
                now=now,
            )
            await Purchase.filter(id=row.id).update(
                status=PurchaseStatus.HELD, hold_id=reserved.id, hold_expires_at=expires_at
            )
    except (LedgerError, registry.RegistryError) as error:
        # Someone else's hold or purchase took the last credits a moment ago.
        log.info("pre-checkout of %s refused: %s", row.public_id, error)
        return _refuse(errors.SOLD_OUT, amount_kg=row.amount_kg)
    return PrecheckoutAnswer(ok=True)


async def _release_hold(row: Purchase, now: datetime) -> None:
    """Give back what an earlier pre-checkout of this order still reserves."""
    if row.hold_id is None:
        return
    previous = await get_hold(row.hold_id)
    if previous.status != HoldStatus.PENDING:
        return
    if previous.expires_at is not None and previous.expires_at <= now:
        # The same key and content as the expiry job's: whoever is first wins.
        await void_hold(
            f"expire:{previous.id}", previous.id, kind="expire_hold", now=now, status=HoldStatus.EXPIRED
        )
    else:
        await void_hold(f"purchase:{row.public_id}:release:{previous.id}", previous.id, now=now)


# No real payment comes near this (Telegram caps a Stars invoice at a few thousand Stars,
# a card payment at what a provider allows); far below 2**63, so that no sum of
# payments can overflow an account's 64-bit balance either.
MAX_PAYMENT_TOTAL = 10**9
MAX_CHARGE_ID_CHARS = 255


def _stored(text: object, limit: int) -> str:
    """Text from outside as a column can hold it: no control characters (PostgreSQL
    refuses NUL), at most `limit` characters."""
    text = "" if text is None else str(text)
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")[:limit]


def _unbookable(charge_id: object, total_amount: object, currency: object) -> str:
    """Why the ledger cannot book this payment at all ('' if it can)."""
    if (not isinstance(charge_id, str) or not 0 < len(charge_id) <= MAX_CHARGE_ID_CHARS
            or not charge_id.isascii() or not charge_id.isprintable()):
        return errors.BAD_CHARGE_ID
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii() or not currency.isupper():
        return errors.BAD_CURRENCY
    if not isinstance(total_amount, int) or isinstance(total_amount, bool) or not 0 < total_amount <= MAX_PAYMENT_TOTAL:
        return errors.TOTAL_OUT_OF_RANGE
    return ""


async def _why_not(row: Purchase | None, item: catalog.Item | None, payment: Payment, now: datetime) -> str:
    """Why this payment cannot buy its order's credits (`item`: the order's card) ('' if it can)."""
    if row is None:
        return errors.ORDER_UNKNOWN
    if payment.user_id != row.user_id:
        return errors.NOT_YOUR_ORDER
    if row.status in PAID_STATES:
        return errors.ORDER_ALREADY_PAID
    if payment.total_amount != row.total_amount or payment.currency != row.currency:
        return errors.AMOUNT_MISMATCH
    if await frozen_reason(row.user_id) is not None:  # frozen after pre-checkout: booked, then refunded
        return errors.ACCOUNT_FROZEN
    if row.status != PurchaseStatus.HELD or row.hold_id is None:
        return errors.HOLD_EXPIRED
    current = await get_hold(row.hold_id)
    if current.status != HoldStatus.PENDING or (current.expires_at is not None and current.expires_at <= now):
        return errors.HOLD_EXPIRED
    if (problem := _offer_problem(row, item, needed_kg=0)) is not None:
        return problem[0]
    return ""


async def complete_payment(
    payload: str,
    telegram_payment_charge_id: str,
    total_amount: int,
    currency: str,
    *,
    user_id: int,
    provider_payment_charge_id: str = "",
    now: datetime | None = None,
) -> PaymentResult:
    """Book a successful payment once, then deliver its order or mark it for refund.

    Two transactions (models.py): the payment is booked into suspense first, so it
    survives whatever fails next; then it is applied to the order its payload names
    if payer, total and currency match and the order is still held for it (delivered,
    and retired when the buyer asked, in that second transaction). A replay
    (the same charge id again) finishes whatever a crash left undone.
    """
    now = now or utcnow()
    charge_id = telegram_payment_charge_id
    if isinstance(charge_id, str) and (
        done := await Payment.get_or_none(telegram_payment_charge_id=charge_id[:MAX_CHARGE_ID_CHARS])
    ) is not None:  # a charge id is booked once, whatever a second copy of it claims
        delivery = None
        if done.outcome == PaymentOutcome.RECEIVED:
            done, delivery = await _apply(done, now)
        return await _result(done, is_replay=True, now=now, delivery=delivery)
    problem = _unbookable(charge_id, total_amount, currency)
    if problem or await PaymentAnomaly.filter(charge_id=_stored(charge_id, MAX_CHARGE_ID_CHARS)).exists():
        return await _record_anomaly(payload, charge_id, total_amount, currency, user_id, problem, now)
    payment, is_new = await _book(payload, charge_id, total_amount, currency, user_id,
                                  provider_payment_charge_id, now)
    delivery = None
    if payment.outcome == PaymentOutcome.RECEIVED:
        payment, delivery = await _apply(payment, now)
    return await _result(payment, is_replay=not is_new, now=now, delivery=delivery)


async def _book(
    payload: str, charge_id: str, total_amount: int, currency: str, user_id: int,
    provider_charge_id: str, now: datetime,
) -> tuple[Payment, bool]:
    """Step 1: the payment row and its money, clearing -> suspense. (payment, is_new).
    complete_payment has looked for the charge already; a twin racing it fails on UNIQUE."""
    row = await _order_for(payload)
    try:
        async with in_transaction():
            payment = await Payment.create(  # UNIQUE(charge id): a twin delivery fails here
                telegram_payment_charge_id=charge_id,
                provider_payment_charge_id=_stored(provider_charge_id, 255),
                # Only the payer's own order is linked: a payment never touches someone else's.
                purchase_id=row.id if row is not None and row.user_id == user_id else None,
                user_id=user_id,
                currency=currency,
                total_amount=total_amount,
                outcome=PaymentOutcome.RECEIVED,
                payload=_stored(payload, 200),
                booked_to="suspense",
                created_at=now,
            )
            clearing, suspense = await open_accounts(
                system_name(Role.CLEARING, currency), system_name(Role.SUSPENSE, currency)
            )
            await post(
                f"pay:{charge_id}", "payment", [Leg(clearing.id, suspense.id, total_amount)],
                memo=f"payment for order {row.public_id}" if row else "payment for an unknown order",
                # The charge, not the row's id: a row lost and booked again (reconciliation)
                # finds this posting as its own replay instead of a key conflict.
                metadata={"charge": charge_id}, now=now,
            )
    except IntegrityError:
        # The same payment, delivered twice at once: the other delivery booked it.
        if (done := await Payment.get_or_none(telegram_payment_charge_id=charge_id)) is not None:
            return done, False
        raise
    return payment, True


@dataclass(frozen=True)
class _Delivery:
    """What _apply delivered, as it stands after its transaction: no need to read it again."""
    order: Purchase
    item: catalog.Item
    retirement: registry.RetirementView | None


async def _apply(payment: Payment, now: datetime) -> tuple[Payment, _Delivery | None]:
    """Step 2: deliver the order (suspense -> buyer -> seller and fee, held credits -> buyer,
    and retired if the buyer asked) or leave the money in suspense for a refund. Once per
    payment, once per order. The delivery is None unless this call delivered an order."""
    async with in_transaction():
        # The conditional UPDATE is this payment's lock: a twin applying it waits, then finds
        # nothing. The payment is completed unless a reason below marks it for refund.
        if not await Payment.filter(id=payment.id, outcome=PaymentOutcome.RECEIVED).update(
            outcome=PaymentOutcome.COMPLETED, reason=""
        ):
            return await Payment.get(id=payment.id), None
        if (other := _other_order(payment.payload)) is not None:
            reason = await other[1](payment.payload, payment.telegram_payment_charge_id, payment.total_amount,
                                    payment.currency, payment.user_id, now)
            if reason:
                await _mark_for_refund(payment, reason)
            return await Payment.get(id=payment.id), None
        row = await Purchase.get_or_none(id=payment.purchase_id) if payment.purchase_id else None
        if row is None and payment.payload:
            row = await _order_for(payment.payload)  # someone else's order, for the reason only
        item = await _item_of(row) if row is not None and row.user_id == payment.user_id else None
        reason = await _why_not(row, item, payment, now)
        # ... and this one the order's: of two payments for one order, one wins.
        if not reason and not await Purchase.filter(
            id=row.id, status=PurchaseStatus.HELD, hold_id=row.hold_id
        ).update(status=PurchaseStatus.PAID, paid_at=now):
            reason = errors.ORDER_ALREADY_PAID
        if reason and await _applied_before(payment):
            return await Payment.get(id=payment.id), None
        if reason:
            await _mark_for_refund(payment, reason)
            if row is not None and row.user_id == payment.user_id and row.status not in PAID_STATES:
                if row.hold_id is not None:
                    await _release_hold(row, now)
                await Purchase.filter(
                    id=row.id, status__in=(PurchaseStatus.PENDING, PurchaseStatus.HELD)
                ).update(status=PurchaseStatus.REFUND_NEEDED, refusal=reason)
            if payment.currency != STARS:  # card: staff refund at the provider
                await outbox.enqueue(payment.user_id, "refund_pending", _money_params(payment, reason),
                                     dedup_key=f"refund-pending:{payment.telegram_payment_charge_id}", now=now)
        else:
            row.status, row.paid_at = PurchaseStatus.PAID, now
            delivery = await _deliver(row, item, payment, now)
            payment.outcome, payment.reason = PaymentOutcome.COMPLETED, ""
            return payment, delivery
    return await Payment.get(id=payment.id), None


async def _applied_before(payment: Payment) -> bool:
    """Whether the ledger delivered this charge before its payment row was lost (and booked
    again by reconciliation): it stays delivered. Only asked when the order looks unpayable:
    an order still held for this payment cannot have been delivered."""
    return await get_posting(f"apply:{payment.telegram_payment_charge_id}") is not None


async def _mark_for_refund(payment: Payment, reason: str) -> None:
    await Payment.filter(id=payment.id).update(outcome=PaymentOutcome.REFUND_NEEDED, reason=reason)


def _money_params(payment: Payment, reason: str = "") -> dict:
    return {"currency": payment.currency, "total": payment.total_amount, "reason": reason}


async def _deliver(row: Purchase, item: catalog.Item, payment: Payment, now: datetime) -> _Delivery:
    """Inside _apply's transaction: the money to the seller, the credits to the buyer, and
    retired for the beneficiary if the buyer asked (all of it or none)."""
    listing = catalog.listing_of(item)
    currency = payment.currency
    seller = await get_account(listing.seller_account_id)  # money goes to the owner of the credits
    suspense, buyer_money, seller_money, fees, buyer_carbon = await open_accounts(
        system_name(Role.SUSPENSE, currency), user_name(row.user_id, currency),
        (seller.owner, seller.role, currency), system_name(Role.FEES, currency), user_name(row.user_id, CARBON),
    )
    legs = [Leg(suspense.id, buyer_money.id, payment.total_amount),
            Leg(buyer_money.id, seller_money.id, payment.total_amount - row.fee_amount)]
    if row.fee_amount:
        legs.append(Leg(buyer_money.id, fees.id, row.fee_amount))
    await post(f"apply:{payment.telegram_payment_charge_id}", "payment", legs,
               memo=f"order {row.public_id}", metadata={"charge": payment.telegram_payment_charge_id}, now=now)
    await post_hold(
        f"purchase:{row.public_id}:deliver", row.hold_id, buyer_carbon.id, kind="purchase",
        memo=f"order {row.public_id}", metadata={"purchase": row.public_id}, now=now,
    )
    await ReductionOrder.create(purchase_id=row.id, amount_kg=row.amount_kg,
                                status=ReductionStatus.RECORDED, created_at=now)
    await outbox.enqueue(row.user_id, "payment_receipt", {
        **_money_params(payment), "order": row.public_id, "amount_kg": row.amount_kg,
        "project": listing.project_name, "retire_for": row.retire_for,
    }, dedup_key=f"receipt:{payment.telegram_payment_charge_id}", now=now)
    retirement = await _retire(row, item, buyer_carbon.id, now) if row.retire_for is not None else None
    return _Delivery(row, item, retirement)


async def _record_anomaly(
    payload: object, charge_id: object, total_amount: object, currency: object, user_id: int, reason: str,
    now: datetime,
) -> PaymentResult:
    """A payment outside the ledger's range: kept as text, never booked, to be refunded."""
    charge_text = _stored(charge_id, MAX_CHARGE_ID_CHARS)
    existing = await PaymentAnomaly.get_or_none(charge_id=charge_text)
    is_replay = existing is not None
    if existing is None:
        try:
            existing = await PaymentAnomaly.create(
                charge_id=charge_text, user_id=user_id, currency=_stored(currency, 16),
                total_text=_stored(total_amount if isinstance(total_amount, int) else repr(total_amount), 64), payload=_stored(payload, 200), reason=reason,
                created_at=now,
            )
        except IntegrityError:
            existing = await PaymentAnomaly.get(charge_id=charge_text)
        log.warning("payment %r for user %s cannot be booked (%s, total %s %s): to be refunded",
                    charge_text[:40], user_id, reason, existing.total_text, existing.currency)
    return PaymentResult(
        outcome=PaymentOutcome.REFUNDED if existing.refunded_at else PaymentOutcome.REFUND_NEEDED,
        charge_id=charge_text, total_amount=0, currency=existing.currency, purchase=None,
        reason=reason, is_replay=is_replay, is_anomaly=True,
    )


async def _result(
    payment: Payment, *, is_replay: bool, now: datetime, delivery: _Delivery | None = None
) -> PaymentResult:
    """What the front end needs after a payment: finishing an interrupted retirement (a
    delivery made just now was retired in the delivery's transaction)."""
    if delivery is not None:
        row, item, retirement = delivery.order, delivery.item, delivery.retirement
    else:
        row = await Purchase.get_or_none(id=payment.purchase_id) if payment.purchase_id else None
        item = await _card(row) if row is not None else None
        retirement = None
        if row is not None and payment.outcome == PaymentOutcome.COMPLETED:
            retirement = await _retire_if_asked(row, item, now)
    return PaymentResult(
        outcome=PaymentOutcome(payment.outcome),
        charge_id=payment.telegram_payment_charge_id,
        total_amount=payment.total_amount,
        currency=payment.currency,
        purchase=_view_with(row, item) if row else None,
        reason=payment.reason,
        is_replay=is_replay,
        retirement=retirement,
    )


async def _retire_if_asked(row: Purchase, item: catalog.Item, now: datetime) -> registry.RetirementView | None:
    """Retire a paid order's credits for its beneficiary if that is not done yet: a
    delivery now retires in the transaction that delivers; this finishes older orders."""
    if row.status != PurchaseStatus.PAID or row.retire_for is None:
        return None
    if row.retirement_id is not None:  # retired, its certificate queued in the same transaction
        return await registry.get_retirement(row.retirement_id)
    buyer_carbon = await user_account(row.user_id, CARBON)
    async with in_transaction():
        return await _retire(row, item, buyer_carbon.id, now)


async def _retire(row: Purchase, item: catalog.Item, account_id: int, now: datetime) -> registry.RetirementView:
    """Inside a transaction: retire the order's credits from the buyer's `account_id` for
    its beneficiary, once (own key), link the order and queue the certificate message.
    `row` learns its retirement id."""
    reason = row.reason or (item.name if isinstance(item, catalog.ProductCard) else "")
    retirement = await registry.retire(
        account_id,
        row.amount_kg,
        row.retire_for,
        reason,
        key=f"purchase:{row.public_id}:retire",
        batch_id=catalog.listing_of(item).batch_id,
        is_batch_strict=True,  # the certificate names the project the buyer chose
        now=now,
    )
    if row.retirement_id is None:
        await Purchase.filter(id=row.id, retirement_id=None).update(retirement_id=retirement.id)
        row.retirement_id = retirement.id  # the retirement's key is the order's: it is this one
    await outbox.enqueue(row.user_id, "certificate", {
        "retirement": retirement.id, "kind": "product" if row.product_id else "retirement",
    }, dedup_key=f"certificate:{retirement.id}", now=now)
    return retirement


async def finish_retirements(now: datetime | None = None, *, limit: int = 100) -> int:
    """Retire paid orders whose retirement a crash interrupted (the payments job runs this)."""
    now = now or utcnow()
    rows = await Purchase.filter(
        status=PurchaseStatus.PAID, retire_for__isnull=False, retirement_id__isnull=True,
        paid_at__lte=now - timedelta(seconds=60),
    ).order_by("id").limit(limit)
    for row in rows:
        await _retire_if_asked(row, await _card(row), now)
    return len(rows)


async def _replay(payment: Payment) -> PaymentResult:
    """The result of a payment recorded before (finishing an interrupted retirement)."""
    return await _result(payment, is_replay=True, now=utcnow())


async def record_refund(telegram_payment_charge_id: str, *, now: datetime | None = None) -> PaymentResult:
    """Book a refund made at Telegram (or at the card provider): the money goes back out."""
    now = now or utcnow()
    payment = await Payment.get_or_none(telegram_payment_charge_id=telegram_payment_charge_id)
    if payment is None:
        raise errors.UnknownOrder(charge_id=telegram_payment_charge_id[:40])
    if payment.outcome == PaymentOutcome.REFUNDED:
        return await _replay(payment)
    if payment.outcome != PaymentOutcome.REFUND_NEEDED:
        raise errors.NotRefundable(charge_id=telegram_payment_charge_id[:40], outcome=payment.outcome)
    async with in_transaction():
        if not await Payment.filter(id=payment.id, outcome=PaymentOutcome.REFUND_NEEDED).update(
            outcome=PaymentOutcome.REFUNDED, refunded_at=now
        ):
            return await _replay(await Payment.get(id=payment.id))
        clearing = await system_account(Role.CLEARING, payment.currency)
        if payment.booked_to == "suspense":
            source = await system_account(Role.SUSPENSE, payment.currency)
        else:  # booked before suspense existed: the money waited in the payer's wallet
            source = await user_account(payment.user_id, payment.currency)
        await post(
            f"refund:{payment.telegram_payment_charge_id}",
            "refund",
            [Leg(source.id, clearing.id, payment.total_amount)],
            memo=f"refund ({payment.reason})",
            metadata={"payment": payment.id},
            now=now,
        )
        if payment.purchase_id:
            await Purchase.filter(
                id=payment.purchase_id, status=PurchaseStatus.REFUND_NEEDED
            ).update(status=PurchaseStatus.REFUNDED)
        await outbox.enqueue(payment.user_id, "payment_refunded", _money_params(payment, payment.reason),
                             dedup_key=f"refunded:{payment.telegram_payment_charge_id}", now=now)
    return await _replay(await Payment.get(id=payment.id))


MAX_REFUND_ATTEMPTS = 3


@dataclass(frozen=True)
class RefundToMake:
    """A Stars charge to give back with refund_star_payment (a payment or an anomaly)."""

    charge_id: str
    user_id: int
    is_anomaly: bool


async def refunds_to_make(*, limit: int = 50) -> list[RefundToMake]:
    """Stars refunds not made yet (a crash, or Telegram said no fewer than MAX_REFUND_ATTEMPTS times)."""
    payments = await Payment.filter(
        outcome=PaymentOutcome.REFUND_NEEDED, currency=STARS, refund_attempts__lt=MAX_REFUND_ATTEMPTS
    ).order_by("id").limit(limit)
    anomalies = await PaymentAnomaly.filter(
        refunded_at__isnull=True, currency=STARS, refund_attempts__lt=MAX_REFUND_ATTEMPTS
    ).order_by("id").limit(limit)
    return [RefundToMake(p.telegram_payment_charge_id, p.user_id, False) for p in payments] + [
        RefundToMake(a.charge_id, a.user_id, True) for a in anomalies
    ]


async def record_refund_failure(charge_id: str, error: str, *, now: datetime | None = None) -> None:
    """Telegram refused the refund: count it, and tell the payer (once) that staff will refund."""
    now = now or utcnow()
    async with in_transaction():
        payment = await Payment.get_or_none(telegram_payment_charge_id=charge_id)
        if payment is None:
            await PaymentAnomaly.filter(charge_id=charge_id).update(
                refund_attempts=F("refund_attempts") + 1, refund_error=error[:200]
            )
            return
        await Payment.filter(id=payment.id).update(refund_attempts=F("refund_attempts") + 1,
                                                   refund_error=error[:200])
        await outbox.enqueue(payment.user_id, "refund_pending", _money_params(payment, payment.reason),
                             dedup_key=f"refund-pending:{charge_id}", now=now)


async def record_anomaly_refund(charge_id: str, *, now: datetime | None = None) -> None:
    await PaymentAnomaly.filter(charge_id=charge_id, refunded_at__isnull=True).update(refunded_at=now or utcnow())


@dataclass(frozen=True)
class OwedRefund:
    """A payment booked in that could not buy its credits and is not refunded yet."""

    charge_id: str
    provider_charge_id: str
    user_id: int
    currency: str
    total_amount: int
    reason: str  # a refusal code of core.purchases.errors
    purchase_id: str | None
    paid_at: datetime


async def refunds_owed(*, limit: int = 100) -> list[OwedRefund]:
    """Payments waiting for a refund, oldest first: card payments (the Bot API cannot
    refund them; staff refund at the provider, then `record_refund`) and Stars refunds
    Telegram refused."""
    rows = await Payment.filter(outcome=PaymentOutcome.REFUND_NEEDED).order_by("id").limit(
        limit
    ).prefetch_related("purchase")
    return [
        OwedRefund(
            charge_id=p.telegram_payment_charge_id,
            provider_charge_id=p.provider_payment_charge_id,
            user_id=p.user_id,
            currency=p.currency,
            total_amount=p.total_amount,
            reason=p.reason,
            purchase_id=p.purchase.public_id if p.purchase else None,
            paid_at=p.created_at,
        )
        for p in rows
    ]


async def expire_purchases(now: datetime | None = None) -> ExpiryReport:
    """Release lapsed holds and expire old orders (the job queue runs this each minute)."""
    now = now or utcnow()
    expired = await expire_ledger_holds(now)
    released = await Purchase.filter(
        status=PurchaseStatus.HELD, hold_expires_at__lte=now
    ).update(status=PurchaseStatus.PENDING)
    too_old = await Purchase.filter(
        status__in=(PurchaseStatus.PENDING, PurchaseStatus.HELD), order_expires_at__lte=now
    ).update(status=PurchaseStatus.EXPIRED)
    return ExpiryReport(holds_expired=len(expired), orders_released=released, orders_expired=too_old)


async def retire_own_credits(
    user_id: int,
    amount_kg: int,
    beneficiary: str,
    reason: str = "",
    *,
    key: str,
    batch_id: int | None = None,
) -> registry.RetirementView:
    """Retire credits the user already holds (lowest serials first, or from one batch)."""
    amount_kg = check_purchase_kg(amount_kg)
    name = _clean_beneficiary(beneficiary)
    account = await user_account(user_id, CARBON)
    return await registry.retire(
        account.id, amount_kg, name, _clean_reason(reason), key=key, batch_id=batch_id
    )


async def reduction_orders(*, limit: int = 50) -> list[ReductionOrderView]:
    """The newest reduction orders, for the registry look-up and `cccp registry`."""
    rows = await ReductionOrder.all().order_by("-id").limit(limit).prefetch_related(
        "purchase__listing__project"
    )
    return [
        ReductionOrderView(
            id=r.id,
            purchase_id=r.purchase.public_id,
            amount_kg=r.amount_kg,
            status=ReductionStatus(r.status),
            project_code=r.purchase.listing.project.code,
            created_at=r.created_at,
            retirement_id=r.purchase.retirement_id,
        )
        for r in rows
    ]


async def purchases_of(user_id: int, *, limit: int = 20) -> list[PurchaseView]:
    rows = await Purchase.filter(user_id=user_id).order_by("-id").limit(limit)
    return [await _view(r) for r in rows]


__all__ = [
    "ExpiryReport", "OwedRefund", "PaymentResult", "RefundToMake", "finish_retirements",
    "record_anomaly_refund", "record_refund_failure", "refunds_to_make", "PrecheckoutAnswer", "PurchaseView",
    "ReductionOrderView", "check_beneficiary", "check_reason", "complete_payment", "expire_purchases", "get_purchase", "payload_of",
    "parse_payload", "precheckout", "purchases_of", "quote", "record_refund", "reduction_orders", "refunds_owed",
    "retire_own_credits", "start_purchase",
]
