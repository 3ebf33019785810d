"""Ledger errors with stable codes. When one is raised nothing has been written."""

from core.errors import DomainError


class LedgerError(DomainError):
    code = "ledger_error"


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"


class AccountFrozen(LedgerError):
    code = "account_frozen"


class UnknownAccount(LedgerError):
    code = "unknown_account"


class AssetMismatch(LedgerError):
    code = "asset_mismatch"


class SameAccount(LedgerError):
    code = "same_account"


class NonPositiveAmount(LedgerError):
    code = "non_positive_amount"


class AmountTooLarge(LedgerError):
    """More than a 64-bit integer column (the balances' type) can hold."""

    code = "amount_too_large"


class KeyConflict(LedgerError):
    """The idempotency key was used before for a different request."""

    code = "key_conflict"


class UnknownAsset(LedgerError):
    code = "unknown_asset"


class HoldNotPending(LedgerError):
    """The hold was already posted, voided or expired."""

    code = "hold_not_pending"


class HoldExpired(LedgerError):
    code = "hold_expired"


class HoldExceeded(LedgerError):
    """Posting more than the hold still reserves."""

    code = "hold_exceeded"


class UnknownHold(LedgerError):
    code = "unknown_hold"
