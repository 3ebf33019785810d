"""How /history words each kind of the ledger: once per kind, in every language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.handlers.account import entry_line
from bot.i18n import translator
from core.i18n import LANGUAGES
from core.ledger import CARBON, Entry, Kind


def entry(kind: str, amount: int = 1000) -> Entry:
    return Entry(
        transfer_id=1, created_at=datetime(2026, 2, 25, tzinfo=UTC), kind=kind, memo="", asset=CARBON,
        amount=amount, counterparty_owner="system", counterparty_role="issuance", metadata={},
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_of_the_ledger_reads_as_words(language):
    t = translator(language)
    for kind in Kind:
        wording = entry_line(t, entry(kind)).split(" · ")[1]
        assert "_" not in wording, (language, kind, wording)


def test_an_issuance_reads_as_issued_and_a_payment_by_its_direction():
    t = translator("en")
    assert entry_line(t, entry(Kind.ISSUANCE)) == "Feb 25, 2026 · issued · +1 t"
    assert entry_line(t, entry(Kind.PAYMENT, -5)).split(" · ")[1] == "paid for your order"
    assert entry_line(t, entry("recorded_before")).split(" · ")[1] == "recorded before"
