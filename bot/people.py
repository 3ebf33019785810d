"""Words people use for account types and languages, read the same in sign-up and
/settings (a shared vocabulary, not a feature: both features import it, neither
imports the other)."""

from __future__ import annotations

import re

from bot.i18n import N_, translator
from core.i18n import LANGUAGES
from core.users import UserRole

SIGNUP_ROLES = (UserRole.CONSUMER, UserRole.TRADER, UserRole.PRODUCER, UserRole.MERCHANT)
ROLE_LABELS = {
    UserRole.CONSUMER: N_("Consumer"),
    UserRole.TRADER: N_("Trader"),
    UserRole.PRODUCER: N_("Producer"),
    UserRole.MERCHANT: N_("Merchant"),
    UserRole.STAFF: N_("Staff"),
}
LANGUAGE_WORDS = {
    "en": {"en", "english", "englisch", "anglais", "eng"},
    "de": {"de", "deutsch", "german", "allemand", "ger", "deu"},
    "fr": {"fr", "français", "francais", "french", "französisch", "franzosisch", "fra"},
}
_WORD_SPLIT = re.compile(r"[\s,;/+&]+|\band\b|\bund\b|\bet\b")


def _role_words() -> dict[str, UserRole]:
    words = {}
    for role in SIGNUP_ROLES:
        words[role.value] = role
        for lang in LANGUAGES:
            words[translator(lang)(ROLE_LABELS[role]).lower()] = role
    return words


def parse_roles(text: str) -> set[UserRole] | None:
    """Account types named in the text ("consumer, trader", "Händler"); None if any word is not one."""
    words = _role_words()
    found = set()
    for word in filter(None, (w.strip(" .!") for w in _WORD_SPLIT.split(text.lower()))):
        if word not in words:
            return None
        found.add(words[word])
    return found or None


def parse_language(text: str) -> str | None:
    word = text.strip().lower().strip(".!")
    return next((lang for lang, names in LANGUAGE_WORDS.items() if word in names), None)


