"""Money for carbon: the one rounding rule.

Prices are per tonne (1000 kg) in a currency's minor unit (cents; Telegram
Stars "XTR" have none). The value of a trade is

    value = ceil(amount_kg * price_per_t / 1000)

Rounding up is in the seller's favour: a buyer never gets carbon for less than
its listed price, and with a positive price every purchase of at least 1 kg
costs at least one unit (DESIGN: one purchase is at least 1 kg and at least
1 Star). Integer arithmetic only: no float ever touches an amount.

A fee is the marketplace's share of a value, in basis points, rounded down so
that the seller, not the fee account, keeps the remainder.
"""

from __future__ import annotations

from core.errors import InputError

KG_PER_TONNE = 1000
MIN_PURCHASE_KG = 1
BASIS_POINTS = 10_000


def _check_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def trade_value(amount_kg: int, price_per_t: int) -> int:
    """What `amount_kg` costs at `price_per_t` minor units per tonne, rounded up."""
    _check_int("amount_kg", amount_kg)
    _check_int("price_per_t", price_per_t)
    if amount_kg < 0 or price_per_t < 0:
        raise ValueError("amounts and prices are never negative")
    return -(-amount_kg * price_per_t // KG_PER_TONNE)


def fee_of(value: int, fee_bps: int) -> int:
    """The fee share of `value` at `fee_bps` basis points, rounded down."""
    _check_int("value", value)
    _check_int("fee_bps", fee_bps)
    if not 0 <= fee_bps <= BASIS_POINTS:
        raise ValueError("fee_bps must be between 0 and 10000")
    return value * fee_bps // BASIS_POINTS


def check_purchase_kg(amount_kg: int) -> int:
    """A purchase is a whole, positive number of kg, at least MIN_PURCHASE_KG."""
    if not isinstance(amount_kg, int) or isinstance(amount_kg, bool) or amount_kg < MIN_PURCHASE_KG:
        raise InputError("amount_too_small", amount_kg=amount_kg, minimum_kg=MIN_PURCHASE_KG)
    return amount_kg
