"""Translations for the bot: one gettext translator per language, and number formats.

The language is the user's stored choice (kept in `context.user_data["lang"]`,
set at sign-up and by /language, loaded from core when missing), else
Telegram's `language_code`, else DEFAULT_LANGUAGE. Catalogues are
`locales/<lang>/LC_MESSAGES/messages.po`, compiled to .mo by `make setup`.
Mark module-level texts with `N_()` so `pybabel extract` finds them; translate
them when shown with `t(...)`.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    format_scientific,
    get_currency_precision,
    parse_pattern,
)
from telegram import Update
from telegram.ext import ContextTypes

from core import users
from core.i18n import LANGUAGE_NAMES, LANGUAGES
from core.ledger.accounts import STARS
from core.purchases.card_limits import card_limit

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
KG_PER_TONNE = 1000
LARGEST_PLAIN = 10**15  # written out below it, in scientific notation from it
SCIENTIFIC = "0.##E0"


def N_(message: str) -> str:
    """Mark a text for extraction; it is translated where it is shown."""
    return message


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    """The compiled .mo when it is current, else the .po compiled in memory (a fresh
    checkout without `make setup` still speaks every language)."""
    po_path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        return gettext.NullTranslations()
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as mo:
            return gettext.GNUTranslations(mo)
    with po_path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _number_pattern(digits: int) -> NumberPattern:
    # Parsed once: babel parses a pattern string (and the locale name) on every call,
    # which was most of the time /balance spent formatting its figures.
    return parse_pattern(f"#,##0.{'#' * digits}" if digits else "#,##0")


def _one_stop(template: str, params: dict[str, object]) -> str:
    """Fill `template`; a value that ends a sentence itself ("Förderverein e.V.") takes the
    template's full stop after it, so the person never reads "e.V.."."""
    for name, value in params.items():
        if isinstance(value, str) and value.endswith(".") and "{" + name + "}." in template:
            template = template.replace("{" + name + "}.", "{" + name + "}")
    return template.format(**params)


@dataclass(frozen=True)
class Translator:
    """Texts and numbers in one language: `t("Hello {name}", name=...)`."""

    language: str

    def __call__(self, message: str, **params: object) -> str:
        text = _catalogue(self.language).gettext(message)
        return _one_stop(text, params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = _catalogue(self.language).ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def number(self, value: int | float | Decimal, digits: int = 3) -> str:
        """1,234.5 or 1.234,5; from a quadrillion on 1.23E17 (refused absurd input is shown
        too, and Babel's rounding fails past the decimal context's 28 digits)."""
        if isinstance(value, Decimal) and not value.is_finite():
            return str(value)
        if abs(value) >= LARGEST_PLAIN:
            return format_scientific(Decimal(value), format=SCIENTIFIC, locale=_locale(self.language))
        return format_decimal(value, format=_number_pattern(digits), locale=_locale(self.language))

    def money(self, currency: str, minor: int) -> str:
        """500 ⭐, or €7.50 in the person's format: the one money formatter, over an integer
        count of minor units (scaled as a Decimal, never through a float)."""
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise TypeError(f"money is a whole number of minor units, got {type(minor).__name__}")
        if currency == STARS:
            return f"{self.number(minor, 0)} ⭐"
        # An invoice's minor unit is Telegram's (its `exp`), which is not always ISO's: a
        # forint or a rupiah has two digits there, none in ISO 4217 (and so in Babel).
        limit = card_limit(currency)
        digits = limit.exp if limit else get_currency_precision(currency)
        amount = Decimal(minor).scaleb(-digits)
        return format_currency(amount, currency, locale=self.language,
                               currency_digits=digits == get_currency_precision(currency))

    def kg(self, amount_kg: int) -> str:
        """250 kg below a tonne, else tonnes with up to three decimals: 1.5 t, 1,5 t."""
        if abs(amount_kg) < KG_PER_TONNE:
            return f"{self.number(amount_kg)} kg"
        return f"{self.number(Decimal(amount_kg) / KG_PER_TONNE)} t"

    def tonnes_and_kg(self, amount_kg: int) -> str:
        """Both units, for balances: "1.5 t (1,500 kg)"; under a tonne just "250 kg"."""
        if abs(amount_kg) < KG_PER_TONNE:
            return f"{self.number(amount_kg)} kg"
        return f"{self.number(Decimal(amount_kg) / KG_PER_TONNE)} t ({self.number(amount_kg)} kg)"

    def date(self, moment) -> str:
        from babel.dates import format_date

        return format_date(moment, format="medium", locale=self.language)

    def moment(self, moment) -> str:
        """A date and time in UTC, "Jan 16, 2026, 9:30 AM UTC": people's time zones are not known."""
        from datetime import UTC

        from babel.dates import format_date, format_time

        moment = moment.astimezone(UTC)
        day = format_date(moment, format="medium", locale=self.language)
        return f"{day}, {format_time(moment, format='short', tzinfo=UTC, locale=self.language)} UTC"


def translator(language: str | None) -> Translator:
    return Translator(language if language in LANGUAGES else "en")


def telegram_language(update: Update | None, default: str) -> str:
    """The user's Telegram app language if we speak it ("de-AT" -> de), else `default`."""
    user = update.effective_user if update else None
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in LANGUAGES else default


async def language_of(update: Update | None, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language to answer in (see the module docstring)."""
    user_data = context.user_data if update and update.effective_user else None
    if user_data is not None and user_data.get("lang") in LANGUAGES:
        return user_data["lang"]
    default = context.bot_data.get("default_language", "en")
    if update and update.effective_user:
        stored = await users.get_user(update.effective_user.id)
        if stored is not None and stored.language:
            user_data["lang"] = stored.language
            return stored.language
    return telegram_language(update, default)


async def tr(update: Update | None, context: ContextTypes.DEFAULT_TYPE) -> Translator:
    return translator(await language_of(update, context))


def language_name(language: str) -> str:
    return LANGUAGE_NAMES[language]
