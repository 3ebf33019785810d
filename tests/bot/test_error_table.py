"""The bot's one error table: every code has one sentence, whichever feature raised it."""

from __future__ import annotations

import pytest

from bot.app import ALL_FEATURES, _error_texts
from bot.feature import Feature
from bot.i18n import N_, translator
from bot.texts import error_text
from core.market.errors import NotEnoughCredits as MarketNotEnough
from core.purchases.errors import NotEnoughCredits


def test_holding_too_little_to_retire_and_to_sell_are_told_apart():
    table = _error_texts(ALL_FEATURES)
    t = translator("en")
    held = error_text(t, NotEnoughCredits(available_kg=1000, amount_kg=2000), table)
    assert held == "You hold only 1 t. Please choose a smaller amount."
    assert error_text(t, MarketNotEnough(), table) == \
        "You do not have that many credits of this project available."


def test_two_sentences_for_one_code_are_refused():
    one = Feature(name="one", error_texts={"oops": N_("That is not allowed.")})
    other = Feature(name="other", error_texts={"oops": N_("Please try again later.")})
    assert _error_texts([one, one])["oops"] == "That is not allowed."
    with pytest.raises(ValueError, match="oops"):
        _error_texts([one, other])
