"""Every message the bot can show exists in every language, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, translator
from core.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def catalogue(language: str):
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def source_messages() -> set[str]:
    found = set()
    for folder in (ROOT / "bot", ROOT / "core" / "certs", ROOT / "core" / "footprint", ROOT / "web"):
        for _, _, message, _, _ in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords={"N_": None, "_": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation_with_the_same_placeholders(language):
    for message in catalogue(language):
        if not message.id:
            continue
        assert message.string, f"{language}: no translation for {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy translation for {message.id!r}"
        assert placeholders(message.string) == placeholders(message.id), (language, message.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_in_the_code_is_in_the_catalogue(language):
    ids = {m.id for m in catalogue(language) if m.id}
    missing = source_messages() - ids
    assert not missing, f"run the pybabel workflow in locales/README.md; missing: {sorted(missing)}"


def test_german_and_french_differ_from_english():
    t_de, t_fr = translator("de"), translator("fr")
    assert t_de("💰 Balance") == "💰 Kontostand" and t_fr("💰 Balance") == "💰 Solde"


def test_amounts_are_formatted_per_locale():
    assert translator("en").kg(1500) == "1.5 t" and translator("de").kg(1500) == "1,5 t"
    assert translator("fr").kg(250) == "250 kg"
    assert re.fullmatch(r"1\u202f500", translator("fr").number(1500))
