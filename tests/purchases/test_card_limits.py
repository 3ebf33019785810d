"""A card invoice outside Telegram's limits for its currency is refused before it is sent,
and the shipped table of those limits is what scripts/derive_card_limits.py makes of the
stored copy of Telegram's currencies.json."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bot.handlers.payments import FEATURE
from bot.i18n import translator
from bot.texts import error_text
from core.purchases import service as purchases
from core.purchases.card_limits import (
    TABLE,
    AboveCardMaximum,
    BelowCardMinimum,
    card_currencies,
    card_limit,
    card_limits,
    card_minimum,
)
from tests.purchases.conftest import make_shop

ROOT = Path(__file__).resolve().parents[2]


def derive_script():
    spec = importlib.util.spec_from_file_location("derive_card_limits", ROOT / "scripts" / "derive_card_limits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_a_card_total_below_the_minimum_is_refused_and_said_clearly(shop):
    # 15.00 EUR per tonne: 50 kg cost 0.75 EUR, below Telegram's minimum in euros.
    minimum = card_minimum("EUR")
    assert 75 < minimum
    with pytest.raises(BelowCardMinimum) as raised:
        await purchases.start_purchase(42, shop.listing.ref, 50, currency="EUR", key="k-small")
    english, german = translator("en"), translator("de")
    text = error_text(english, raised.value, FEATURE.error_texts)
    assert text.startswith(f"Telegram takes card payments in EUR from {english.money('EUR', minimum)}; "
                           "this order comes to €0.75.")
    assert "0,75\u00a0€" in error_text(german, raised.value, FEATURE.error_texts)
    order = await purchases.start_purchase(42, shop.listing.ref, 100, currency="EUR", key="k-ok")
    assert (order.currency, order.total_amount) == ("EUR", 150)


async def test_a_card_total_above_the_maximum_is_refused_and_said_clearly(db):
    shop = await make_shop(amount_kg=1_000_000)
    maximum = card_limit("EUR").max_amount
    too_much_kg = maximum * 1000 // 1500 + 1000  # one tonne more than the largest card total buys
    with pytest.raises(AboveCardMaximum) as raised:
        await purchases.start_purchase(42, shop.listing.ref, too_much_kg, currency="EUR", key="k-big")
    english = translator("en")
    assert error_text(english, raised.value, FEATURE.error_texts).startswith(
        f"Telegram takes card payments in EUR up to {english.money('EUR', maximum)}; this order comes to "
        f"{english.money('EUR', too_much_kg * 1500 // 1000)}. Choose a smaller amount")
    assert "bis " in error_text(translator("de"), raised.value, FEATURE.error_texts)
    fits_kg = maximum * 1000 // 1500 - 1000
    order = await purchases.start_purchase(42, shop.listing.ref, fits_kg, currency="EUR", key="k-fits")
    assert order.total_amount <= maximum
    assert (await purchases.quote(shop.listing.ref, too_much_kg)).currency == "XTR"  # Stars are not capped here


def test_the_table_is_telegrams_file_dated_and_brought_to_its_rates_day():
    limits = card_limits()
    assert limits.source == "https://core.telegram.org/bots/payments/currencies.json"
    assert limits.copied == "2021-04-28" and limits.rates_on == "2026-10-30" and limits.date == "2026-10-30"
    assert {"EUR", "USD", "GBP", "CHF", "JPY"} <= card_currencies() and card_minimum("XTR") is None
    assert card_minimum("eur") == card_limit("EUR").min_amount
    usd = card_limit("USD")
    assert (usd.exp, usd.min_amount, usd.max_amount) == (2, 100, 1_000_000)  # 1 and 10,000 dollars
    for code in card_currencies():  # Telegram's own relation between its two figures
        limit = card_limit(code)
        assert 0 < limit.min_amount == limit.max_amount // 10_000, code
    assert (card_limit("JPY").exp, card_limit("HUF").exp) == (0, 2)  # Telegram's, not ISO's, minor units


def test_the_table_is_what_the_script_makes_of_the_stored_copy(tmp_path):
    script = derive_script()
    copy = ROOT / "scripts" / "data" / "telegram_currencies_2021-04-28.json"
    as_copied = script.read_copy(copy)
    assert len(as_copied) == 84 and as_copied["EUR"] == {"exp": 2, "min_amount": 82, "max_amount": 827805}
    shipped = json.loads(TABLE.read_text(encoding="utf-8"))
    from datetime import date

    moved, left_out = script.move_to(as_copied, date.fromisoformat(shipped["copied"]),
                                     date.fromisoformat(shipped["rates_on"]))
    assert shipped["currencies"] == moved and shipped["left_out"] == sorted(left_out)
    assert set(moved) | set(left_out) == set(as_copied)
