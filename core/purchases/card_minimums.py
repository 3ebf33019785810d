"""Telegram's smallest card invoice per currency, shipped as a dated table.

Telegram refuses an invoice whose total is below a currency's `min_amount`
(about one US dollar, in the currency's minor unit) with
CURRENCY_TOTAL_AMOUNT_INVALID. It publishes the figures at
https://core.telegram.org/bots/payments/currencies.json; nothing is
downloaded at run time, so this table is a copy, with the date it was taken.
The figures move with exchange rates: refresh the table from that file (the
`min_amount` field) when the date below is old. Telegram's own refusal is still
answered clearly (bot/errors.py), should a figure have moved in between.
"""

from __future__ import annotations

from core.errors import DomainError

TABLE_DATE = "2026-12-01"
SOURCE_URL = "https://core.telegram.org/bots/payments/currencies.json"

# ISO 4217 code -> smallest total in minor units (cents; JPY and KRW have none).
CARD_MINIMUMS: dict[str, int] = {
    "USD": 100,
    "EUR": 93,
    "GBP": 79,
    "CHF": 88,
    "CAD": 139,
    "AUD": 153,
    "NZD": 169,
    "JPY": 150,
    "KRW": 1_390,
    "SEK": 1_070,
    "NOK": 1_110,
    "DKK": 694,
    "PLN": 400,
    "CZK": 2_330,
    "HUF": 36_300,
    "RON": 464,
    "BGN": 182,
    "TRY": 3_430,
    "UAH": 4_150,
    "INR": 8_440,
    "BRL": 578,
    "MXN": 2_030,
    "SGD": 134,
    "HKD": 778,
    "ILS": 374,
    "ZAR": 1_830,
    "AED": 367,
}


class BelowCardMinimum(DomainError):
    """The card total is below what Telegram accepts for this currency."""

    code = "card_below_minimum"


def card_minimum(currency: str) -> int | None:
    """The smallest card total Telegram takes in `currency` (minor units); None if not in the table."""
    return CARD_MINIMUMS.get(currency.upper())


def check_card_total(currency: str, total: int) -> None:
    """Raise BelowCardMinimum when `total` (minor units) is below Telegram's minimum for `currency`."""
    minimum = card_minimum(currency)
    if minimum is not None and total < minimum:
        raise BelowCardMinimum(currency=currency.upper(), total_minor=total, minimum_minor=minimum)
