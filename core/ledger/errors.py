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


class LedgerMisuse(RuntimeError):
    """The calling code is wrong, not the request: a bug to log, never a refusal to show.

    Not a DomainError, so the bot's error handler logs it with a reference
    instead of answering it like a refusal. Nothing has been written either.
    """

    code = "ledger_misuse"

    def __init__(self, **params: object) -> None:
        self.params = params
        detail = ", ".join(f"{k}={v!r}" for k, v in params.items())
        super().__init__(f"{self.code}({detail})")


class HookMissing(LedgerMisuse):
    """An asset that must be followed (carbon: the registry's serial blocks) has no hook."""

    code = "hook_missing"


class UnknownKind(LedgerMisuse):
    """A posting's or a hold's kind that is not a row of ledger_kind (see kinds.py)."""

    code = "unknown_kind"
