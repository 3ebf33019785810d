"""Purchase errors with stable codes; front ends translate them.

Pre-checkout refusals are not raised: `precheckout` returns one of the
REFUSAL codes so the bot can answer Telegram with the translated reason.
"""

from core.errors import DomainError


class PurchaseError(DomainError):
    code = "purchase_error"


class UnknownOrder(PurchaseError):
    code = "order_unknown"


class NotRefundable(PurchaseError):
    """Only a payment recorded as needing a refund can be refunded here."""

    code = "not_refundable"


class BeneficiaryRequired(PurchaseError):
    """A product's credits are retired for someone: a name is needed."""

    code = "beneficiary_required"


class InvalidBeneficiary(PurchaseError):
    code = "invalid_beneficiary"


class ReasonTooLong(PurchaseError):
    code = "reason_too_long"


# Why a pre-checkout is refused or a payment has to be refunded.
ORDER_UNKNOWN = "order_unknown"
ORDER_ALREADY_PAID = "order_already_paid"
ORDER_EXPIRED = "order_expired"
AMOUNT_MISMATCH = "amount_mismatch"
OFFER_WITHDRAWN = "offer_withdrawn"
SOLD_OUT = "sold_out"
HOLD_EXPIRED = "hold_expired"
NOT_YOUR_ORDER = "not_your_order"
ACCOUNT_FROZEN = "account_frozen"  # staff froze the buyer (core.staff.freezes)
REFUSALS = (
    ORDER_UNKNOWN, ORDER_ALREADY_PAID, ORDER_EXPIRED, AMOUNT_MISMATCH, OFFER_WITHDRAWN,
    SOLD_OUT, HOLD_EXPIRED, NOT_YOUR_ORDER,
)

# A payment the ledger cannot book at all (PaymentAnomaly.reason).
TOTAL_OUT_OF_RANGE = "total_out_of_range"
BAD_CURRENCY = "bad_currency"
BAD_CHARGE_ID = "bad_charge_id"
