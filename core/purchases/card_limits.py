"""Telegram's smallest and largest card invoice per currency, from a shipped, dated table.

Telegram refuses an invoice whose total is below a currency's `min_amount` (1 US dollar at
the day's rate) or above its `max_amount` (10,000 US dollars), both in the currency's minor
units, with CURRENCY_TOTAL_AMOUNT_INVALID. It publishes the figures at
https://core.telegram.org/bots/payments/currencies.json. Nothing is downloaded at run time:
card_limits.json beside this module is written from a copy of that file by
scripts/derive_card_limits.py and says where its figures come from, the day of the copy and,
when an old copy was brought forward, the day of the exchange rates used (its `copied` and
`rates_on`). The figures move with exchange rates: refresh the file from a new copy when its
dates are old. Telegram's own refusal is still answered clearly (bot/errors.py), should a
figure have moved in between.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import DomainError

TABLE = Path(__file__).with_name("card_limits.json")


@dataclass(frozen=True)
class CardLimit:
    """One currency's invoice totals Telegram takes, in minor units (exp digits after the point)."""

    exp: int
    min_amount: int
    max_amount: int


@dataclass(frozen=True)
class CardLimits:
    source: str
    copied: str  # the day of the copy of Telegram's file (ISO date)
    rates_on: str | None  # the day of the exchange rates the copy was brought forward to
    currencies: dict[str, CardLimit]

    @property
    def date(self) -> str:
        """The day the figures stand for."""
        return self.rates_on or self.copied


@cache
def card_limits() -> CardLimits:
    document = json.loads(TABLE.read_text(encoding="utf-8"))
    return CardLimits(
        source=document["source"], copied=document["copied"], rates_on=document.get("rates_on"),
        currencies={code: CardLimit(**limit) for code, limit in document["currencies"].items()},
    )


class BelowCardMinimum(DomainError):
    """The card total is below what Telegram accepts for this currency."""

    code = "card_below_minimum"


class AboveCardMaximum(DomainError):
    """The card total is above what Telegram accepts for this currency."""

    code = "card_above_maximum"


def card_currencies() -> frozenset[str]:
    """The currencies the table knows: the ones CARD_CURRENCY may name."""
    return frozenset(card_limits().currencies)


def card_limit(currency: str) -> CardLimit | None:
    return card_limits().currencies.get(currency.upper())


def card_minimum(currency: str) -> int | None:
    """The smallest card total Telegram takes in `currency` (minor units); None if not in the table."""
    limit = card_limit(currency)
    return limit.min_amount if limit else None


def check_card_total(currency: str, total: int) -> None:
    """Raise BelowCardMinimum or AboveCardMaximum when `total` (minor units) is outside what
    Telegram takes in `currency`; a currency the table does not know is left to Telegram."""
    limit = card_limit(currency)
    if limit is None:
        return
    if total < limit.min_amount:
        raise BelowCardMinimum(currency=currency.upper(), total_minor=total, minimum_minor=limit.min_amount)
    if total > limit.max_amount:
        raise AboveCardMaximum(currency=currency.upper(), total_minor=total, maximum_minor=limit.max_amount)
