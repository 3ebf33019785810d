"""The market's tables: offers in per-project books, trades, alerts, wallet orders.

An Offer is a sell offer (credits of one batch, held on the seller's carbon
account) or a buy offer (Stars held on the buyer's wallet) in the book of one
project; a buy offer with filters (project type, country, vintage range) has no
project and rests in the filter list beside the books. `remaining_kg` is what
is left on the book; `maker_filled_kg` counts what filled while it rested, the
base of the cumulative rounding of fills at its own price. The offer's hold
always reserves what its remaining needs: kg for a sell, for a buy
value(rest_kg) - value(maker_filled_kg) at its price (pricing.trade_value).

A Book row per project is the lock every change of that book takes first
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), and keeps
the last trade's price for the price band.

A Trade is one fill: both legs, the fee and the serial ranges that moved, under
the take's idempotency key (UNIQUE). Alerts notify once per (alert, offer).
A TopUp is a Stars invoice that credits the wallet once per charge id; a
Withdrawal is a request whose Stars are held until staff mark it paid or rejected.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class Side(StrEnum):
    SELL = "sell"
    BUY = "buy"


class OfferStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"  # nothing left, or a remainder below the minimum fill released
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TopUpStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"


class WithdrawalStatus(StrEnum):
    REQUESTED = "requested"  # Stars held; staff settle it outside the bot
    PAID = "paid"
    REJECTED = "rejected"


class Book(models.Model):
    project_id = fields.BigIntField(primary_key=True)
    last_price_per_t = fields.BigIntField(null=True)
    last_trade_at = fields.DatetimeField(null=True)

    class Meta:
        table = "market_book"


class Offer(models.Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    side = fields.CharEnumField(Side, max_length=4)
    user_id = fields.BigIntField()
    project_id = fields.BigIntField(null=True)  # None: a filter bid
    batch_id = fields.BigIntField(null=True)  # a sell offer's batch
    project_type = fields.CharField(max_length=32, null=True)  # filter bids
    country = fields.CharField(max_length=2, null=True)
    vintage_from = fields.SmallIntField(null=True)
    vintage_to = fields.SmallIntField(null=True)
    price_per_t = fields.BigIntField()
    amount_kg = fields.BigIntField()
    remaining_kg = fields.BigIntField()
    rest_kg = fields.BigIntField(default=0)  # what was left when it came to rest
    maker_filled_kg = fields.BigIntField(default=0)
    min_fill_kg = fields.BigIntField(default=1)
    status = fields.CharEnumField(OfferStatus, max_length=9, default=OfferStatus.OPEN)
    hold_id = fields.BigIntField(null=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "market_offer"
        # The book: best price then time, per project and side, open offers only.
        indexes = (("project_id", "side", "status", "price_per_t", "created_at"), ("user_id", "status"),
                   ("status", "expires_at"))
        constraints = [
            CheckConstraint(check="price_per_t > 0", name="market_offer_price_positive"),
            CheckConstraint(check="remaining_kg >= 0 AND remaining_kg <= amount_kg",
                            name="market_offer_remaining_range"),
            CheckConstraint(check="min_fill_kg >= 1", name="market_offer_min_fill"),
        ]


class Trade(models.Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    project_id = fields.BigIntField(db_index=True)
    batch_id = fields.BigIntField()
    sell_offer_id = fields.BigIntField(null=True)
    buy_offer_id = fields.BigIntField(null=True)
    seller_id = fields.BigIntField(db_index=True)
    buyer_id = fields.BigIntField(db_index=True)
    amount_kg = fields.BigIntField()
    price_per_t = fields.BigIntField()
    value_xtr = fields.BigIntField()
    fee_xtr = fields.BigIntField()
    serials = fields.JSONField(default=list)  # [[batch_id, first, last], ...]
    created_at = fields.DatetimeField()

    class Meta:
        table = "market_trade"
        indexes = (("project_id", "created_at"),)
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="market_trade_amount_positive"),
            CheckConstraint(check="fee_xtr >= 0 AND fee_xtr <= value_xtr", name="market_trade_fee_range"),
        ]


class Alert(models.Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    project_id = fields.BigIntField(null=True)
    project_type = fields.CharField(max_length=32, null=True)
    country = fields.CharField(max_length=2, null=True)
    max_price_per_t = fields.BigIntField()
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "market_alert"


class TopUp(models.Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=16, unique=True)
    user_id = fields.BigIntField(db_index=True)
    amount_xtr = fields.BigIntField()
    status = fields.CharEnumField(TopUpStatus, max_length=8, default=TopUpStatus.PENDING)
    charge_id = fields.CharField(max_length=255, null=True, unique=True)
    created_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "market_topup"
        constraints = [CheckConstraint(check="amount_xtr > 0", name="market_topup_amount_positive")]


class Withdrawal(models.Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    user_id = fields.BigIntField(db_index=True)
    amount_xtr = fields.BigIntField()
    hold_id = fields.BigIntField()
    status = fields.CharEnumField(WithdrawalStatus, max_length=9, default=WithdrawalStatus.REQUESTED)
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField()
    settled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "market_withdrawal"
