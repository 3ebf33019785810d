"""The glossary's rules (locales/GLOSSARY.md) hold in the catalogues."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.i18n import LOCALES


def _pairs(language: str) -> list[tuple[str, str]]:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return [(m.id, m.string) for m in read_po(f, locale=language)
                if m.id and isinstance(m.id, str)]


def test_german_calls_the_document_urkunde_never_zertifikat():
    for msgid, text in _pairs("de"):
        if re.search(r"\bcertificates?\b", msgid, flags=re.IGNORECASE) and "credit" not in msgid.lower():
            assert "Zertifikat" not in text, (msgid, text)


def test_german_retirement_is_stilllegung():
    for msgid, text in _pairs("de"):
        if re.search(r"\bretire(d|ment)?\b", msgid, flags=re.IGNORECASE):
            assert re.search(r"stillgeleg|stillleg|still\b", text, flags=re.IGNORECASE), (msgid, text)


def test_french_retire_never_reads_as_a_withdrawal():
    for msgid, text in _pairs("fr"):
        assert "Retirer vos crédits" not in text.replace("Retirer définitivement vos crédits", ""), text
        if re.fullmatch(r"\W*Retire\W*", msgid):
            assert "de la circulation" in text, (msgid, text)
        if re.search(r"withdraw|payout", msgid, flags=re.IGNORECASE):
            assert "retrait" not in text.lower(), (msgid, text)


def test_french_retirement_is_retrait():
    for msgid, text in _pairs("fr"):
        if re.search(r"\bretirement\b", msgid, flags=re.IGNORECASE):
            assert "retrait" in text.lower(), (msgid, text)
