"""The market's limits against spam and mistakes, from the settings (MARKET_*)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    fee_bps: int = 100  # MARKET_FEE_BPS: the fees account's share of each trade, paid by the seller
    min_kg: int = 10  # MARKET_MIN_KG: the smallest offer
    max_open_offers: int = 50  # MARKET_MAX_OPEN_OFFERS: per user
    band_percent: int = 50  # MARKET_PRICE_BAND_PERCENT: around the last trade; 0 switches it off
    max_price_per_t: int = 1_000_000  # an absurd price is a typo
    max_kg: int = 10**12

    @classmethod
    def from_settings(cls, settings: object) -> Rules:
        return cls(
            fee_bps=settings.market_fee_bps,
            min_kg=settings.market_min_kg,
            max_open_offers=settings.market_max_open_offers,
            band_percent=settings.market_price_band_percent,
        )


DEFAULT_RULES = Rules()
