"""The words on a certificate, in the buyer's language (en, de or fr).

Core must not import bot/, so this reads the same gettext catalogues the bot
uses (`locales/<lang>/LC_MESSAGES/messages.po`) directly: the compiled .mo
when it is current, else the .po compiled in memory. Texts are marked with
`N_()` so `pybabel extract ... bot core/certs` finds them (locales/README.md).
Dates and numbers are formatted with babel for the same language.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from core.i18n import LANGUAGES

LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a text for extraction; it is translated where it is drawn."""
    return message


def normalise_language(language: str | None) -> str:
    """'de-AT' -> 'de'; anything the certificate cannot speak -> 'en'."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The gettext translations for `language`; untranslated texts stay English."""
    po_path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        return gettext.translation(DOMAIN, localedir=LOCALES, languages=[language], fallback=True)
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(language: str, message: str, **params: object) -> str:
    """`message` in `language`, with `{placeholders}` filled in."""
    text = catalogue(normalise_language(language)).gettext(message)
    return text.format(**params) if params else text


def format_tonnes(amount_kg: int, language: str) -> str:
    """Exact tonnes for integer kg, per locale: 1500 -> '1.5' (en), '1,5' (de, fr)."""
    whole, rest = divmod(amount_kg, 1000)
    number = format_decimal(whole, format="#,##0", locale=normalise_language(language))
    if rest:
        decimal_sign = format_decimal(1.5, format="0.0", locale=normalise_language(language))[1]
        number += decimal_sign + f"{rest:03d}".rstrip("0")
    return number


def format_kg(amount_kg: int, language: str) -> str:
    return format_decimal(amount_kg, format="#,##0", locale=normalise_language(language))


DATE_PATTERNS = {"de": "d. MMMM y, HH:mm"}


def format_issued(moment: datetime, language: str) -> str:
    """'14 March 2025, 09:30 UTC' (en), '14. März 2025, 09:30 UTC' (de), '14 mars 2025, 09:30 UTC' (fr)."""
    language = normalise_language(language)
    pattern = DATE_PATTERNS.get(language, "d MMMM y, HH:mm")
    return format_datetime(moment.astimezone(UTC), pattern, tzinfo=UTC, locale=language) + " UTC"
