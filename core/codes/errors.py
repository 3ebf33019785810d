"""Product code errors with stable codes. When one is raised nothing has been written."""

from core.errors import DomainError


class CodesError(DomainError):
    code = "codes_error"


class NotACode(CodesError):
    """The text does not have a product code's shape at all."""

    code = "code_not_a_code"


class CodeMistyped(CodesError):
    """The shape is right but the check character is not: a typo, not an unknown code."""

    code = "code_mistyped"


class UnknownCode(CodesError):
    code = "code_unknown"


class CodeAlreadyClaimed(CodesError):
    """params: claimed_at (datetime), is_yours (bool)."""

    code = "code_already_claimed"


class MerchantSuspended(CodesError):
    code = "code_merchant_suspended"


class ClaimsPaused(CodesError):
    """Too many unknown or mistyped codes in an hour; params: until (datetime)."""

    code = "code_claims_paused"


class NotAMerchant(CodesError):
    code = "code_not_a_merchant"


class MerchantNotApproved(CodesError):
    """A pending (or suspended) merchant may register products but not fund codes."""

    code = "code_merchant_not_approved"


class UnknownMerchant(CodesError):
    code = "code_unknown_merchant"


class UnknownProduct(CodesError):
    code = "code_unknown_product"


class UnknownBatch(CodesError):
    code = "code_unknown_batch"


class InvalidProduct(CodesError):
    """A field of a product is empty, too long or out of range; params: field."""

    code = "code_invalid_product"


class InvalidBatch(CodesError):
    """params: field (count, expires_at), maximum."""

    code = "code_invalid_batch"


class NotEnoughCredits(CodesError):
    """The merchant's available credits do not back the batch; params: needed_kg, available_kg."""

    code = "code_not_enough_credits"
