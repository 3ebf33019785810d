"""How the shop writes a project's stock."""

from __future__ import annotations

from bot.conversations.buy import stock_text
from bot.i18n import translator


def test_a_large_stock_shows_whole_tonnes_rounded_down():
    t = translator("en")
    assert stock_text(t, 32_399_873) == "32,399 t"


def test_a_small_stock_keeps_its_kilograms():
    t = translator("de")
    assert stock_text(t, 9_500) == "9,5 t"
    assert stock_text(t, 250) == "250 kg"
