"""Purchases, the payments that pay for them, and the reduction orders they start.

A Purchase is one order a buyer starts in the chat: an item (a listing, or a
product with a number of units), an amount in kg, a currency, a total and
what to do with the credits (retire for a beneficiary with a reason, or keep).
Its `public_id` is what the invoice payload carries (`p:<public_id>`, far
below Telegram's 128 bytes).

    pending --pre-checkout--> held --successful_payment--> paid
       |                       |   \\
       |                       |    `--hold gone / offer bad--> refund_needed --> refunded
       `--order too old--------`--hold expired (job)--> expired

A Payment is one `successful_payment`, UNIQUE by Telegram's charge id: the same
update delivered twice finds its row and moves nothing again. It is booked in
two steps, each its own transaction, so a payment is never lost to whatever
fails after it arrived:

    received (money in suspense) --matches its order--> completed
                                 `--anything else-----> refund_needed --> refunded

A purchase may see a second, different payment (an old invoice paid twice, a
forwarded invoice): that one stays in suspense and is refunded. A payment whose
total no real payment has (<= 0, > 10**9 minor units, or not an integer) or whose
fields Telegram would never send is a PaymentAnomaly: recorded as text, outside
the ledger, refunded.

A ReductionOrder records that a purchase started a carbon reduction process
(seed claim); the reforestation issue turns it into trees planted.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class PurchaseStatus(StrEnum):
    PENDING = "pending"  # invoice sent, nothing reserved
    HELD = "held"  # pre-checkout passed: the seller's credits are held
    PAID = "paid"  # credits delivered (and retired when asked)
    REFUND_NEEDED = "refund_needed"  # money came in but the credits could not be delivered
    REFUNDED = "refunded"
    EXPIRED = "expired"  # never paid in time


class PaymentOutcome(StrEnum):
    RECEIVED = "received"  # booked into suspense; not yet applied to its order
    COMPLETED = "completed"
    REFUND_NEEDED = "refund_needed"
    REFUNDED = "refunded"


class ReductionStatus(StrEnum):
    RECORDED = "recorded"


class Purchase(models.Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=16, unique=True)
    key = fields.CharField(max_length=200, unique=True)
    user_id = fields.BigIntField(db_index=True)
    listing = fields.ForeignKeyField(
        "models.Listing", related_name="purchases", on_delete=fields.RESTRICT
    )
    product = fields.ForeignKeyField(
        "models.Product", related_name="purchases", null=True, on_delete=fields.RESTRICT
    )
    units = fields.IntField(default=0)  # products only
    amount_kg = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    price_per_t = fields.BigIntField()  # listings: the price taken; products: per unit
    total_amount = fields.BigIntField()
    fee_amount = fields.BigIntField(default=0)
    retire_for = fields.CharField(max_length=200, null=True)
    reason = fields.CharField(max_length=500, default="")
    status = fields.CharEnumField(PurchaseStatus, max_length=16, default=PurchaseStatus.PENDING)
    hold_id = fields.BigIntField(null=True)
    hold_attempt = fields.IntField(default=0)
    hold_expires_at = fields.DatetimeField(null=True)
    order_expires_at = fields.DatetimeField()
    retirement_id = fields.CharField(max_length=16, null=True)  # the registry's public id
    refusal = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)

    class Meta:
        table = "purchase"
        indexes = (("status", "hold_expires_at"), ("status", "order_expires_at"))
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="purchase_amount_kg_positive"),
            CheckConstraint(check="total_amount > 0", name="purchase_total_positive"),
            CheckConstraint(
                check="fee_amount >= 0 AND fee_amount <= total_amount", name="purchase_fee_range"
            ),
        ]


class Payment(models.Model):
    id = fields.BigIntField(primary_key=True)
    telegram_payment_charge_id = fields.CharField(max_length=255, unique=True)
    provider_payment_charge_id = fields.CharField(max_length=255, default="")
    purchase = fields.ForeignKeyField(
        "models.Purchase", related_name="payments", null=True, on_delete=fields.RESTRICT
    )
    user_id = fields.BigIntField(db_index=True)
    currency = fields.CharField(max_length=3)
    total_amount = fields.BigIntField()
    outcome = fields.CharEnumField(PaymentOutcome, max_length=16)
    reason = fields.CharField(max_length=32, default="")
    payload = fields.CharField(max_length=200, default="")  # the invoice payload, as it came
    # Where the money waits until it is applied or refunded: "suspense" (rows since the
    # durable inbox) or "wallet" (older rows booked straight into the payer's wallet).
    booked_to = fields.CharField(max_length=8, default="wallet")
    refund_attempts = fields.IntField(default=0)
    refund_error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    refunded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment"
        constraints = [
            CheckConstraint(check="total_amount > 0", name="payment_total_positive"),
        ]


class PaymentAnomaly(models.Model):
    """A successful_payment the ledger cannot book (a total that is not a positive
    64-bit integer, a currency or charge id Telegram never sends): kept as text and refunded."""

    id = fields.BigIntField(primary_key=True)
    charge_id = fields.CharField(max_length=255, unique=True)
    user_id = fields.BigIntField()
    currency = fields.CharField(max_length=16)
    total_text = fields.CharField(max_length=64)
    payload = fields.CharField(max_length=200, default="")
    reason = fields.CharField(max_length=32)
    refund_attempts = fields.IntField(default=0)
    refund_error = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    refunded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_anomaly"


class ReductionOrder(models.Model):
    id = fields.BigIntField(primary_key=True)
    purchase = fields.OneToOneField(
        "models.Purchase", related_name="reduction_order", on_delete=fields.RESTRICT
    )
    amount_kg = fields.BigIntField()
    status = fields.CharEnumField(ReductionStatus, max_length=16, default=ReductionStatus.RECORDED)
    created_at = fields.DatetimeField()

    class Meta:
        table = "reduction_order"
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="reduction_order_amount_kg_positive"),
        ]
