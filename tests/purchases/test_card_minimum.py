"""A card invoice below Telegram's minimum for its currency is refused before it is sent."""

from __future__ import annotations

import pytest

from bot.handlers.payments import FEATURE
from bot.i18n import translator
from bot.texts import error_text
from core.purchases import service as purchases
from core.purchases.card_minimums import CARD_MINIMUMS, TABLE_DATE, BelowCardMinimum, card_minimum


async def test_a_card_total_below_the_minimum_is_refused_and_said_clearly(shop):
    # 15.00 EUR per tonne: 50 kg cost 0.75 EUR, below Telegram's 0.93 EUR.
    with pytest.raises(BelowCardMinimum) as raised:
        await purchases.start_purchase(42, shop.listing.ref, 50, currency="EUR", key="k-small")
    text = error_text(translator("en"), raised.value, FEATURE.error_texts)
    assert text.startswith("Telegram takes card payments in EUR from €0.93; this order comes to €0.75.")
    german = error_text(translator("de"), raised.value, FEATURE.error_texts)
    assert "0,93\u00a0€" in german and "0,75\u00a0€" in german
    order = await purchases.start_purchase(42, shop.listing.ref, 100, currency="EUR", key="k-ok")
    assert (order.currency, order.total_amount) == ("EUR", 150)


def test_the_table_is_dated_and_covers_the_common_currencies():
    assert TABLE_DATE.count("-") == 2
    assert {"EUR", "USD", "GBP", "CHF"} <= set(CARD_MINIMUMS)
    assert card_minimum("eur") == CARD_MINIMUMS["EUR"] and card_minimum("XTR") is None
