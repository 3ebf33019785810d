"""Domain errors in words: one table from error code to a translated template.

Every handler shows a DomainError through `error_text`, so a code gets the same
sentence everywhere. `ERROR_TEXTS` are the codes every feature meets; a feature adds
its own in its FEATURE, and `bot/app.py` keeps this bot's table in
`bot_data["error_texts"]` (`texts_of(context)`). Templates may use the error's params by name; a code not
listed here gets the generic sentence, never a crash. A text param is what the
person typed: it is quoted back cut short (bot.replies.echo).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import N_, Translator
from bot.replies import echo
from core.errors import DomainError

ERROR_TEXTS: dict[str, str] = {
    "amount_empty": N_("Please type an amount, for example 1.5 t or 250 kg."),
    "amount_not_a_number": N_("I could not read that as an amount. Try 1.5 t or 250 kg."),
    "amount_unknown_unit": N_("I do not know the unit “{unit}”. Use t (tonnes) or kg."),
    "amount_not_positive": N_("The amount must be more than zero."),
    "amount_too_large": N_("That is more than the {max} allowed at once."),
    "amount_too_small": N_("The smallest amount is 1 kg."),
    "amount_not_whole_kg": N_("Please use whole kilograms, for example 250 kg."),
    "unknown_user": N_("You are not signed up yet. Send /start to begin."),
    "unknown_role": N_("There is no such account type."),
    "unsupported_language": N_("That language is not available yet."),
    "insufficient_funds": N_("You do not have enough for that."),
    "account_frozen": N_("This account is frozen. Please contact support."),
    "deeplink_unknown": N_("This link is not valid or has expired."),
}
GENERIC_ERROR = N_("That did not work. Please try again.")
ERROR_TEXTS_KEY = "error_texts"  # bot_data: code -> msgid of this application


def _money(t: Translator, currency: str, minor: int) -> str:
    from babel.numbers import format_currency, get_currency_precision

    return format_currency(minor / 10 ** get_currency_precision(currency), currency, locale=t.language)


def texts_of(context) -> Mapping[str, str]:
    """This bot's error table (the common one when the bot was built without features)."""
    return context.bot_data.get(ERROR_TEXTS_KEY, ERROR_TEXTS)


def error_text(t: Translator, error: DomainError, texts: Mapping[str, str] = ERROR_TEXTS) -> str:
    """The person's sentence for a domain error, in their language."""
    template = texts.get(error.code, GENERIC_ERROR)
    params = {key: echo(value) if isinstance(value, str) else value for key, value in error.params.items()}
    if "max_kg" in params:
        params["max"] = t.kg(int(params["max_kg"]))
    if "currency" in params and "minimum_minor" in params:  # card minimums (core/purchases/card_minimums.py)
        params["minimum"] = _money(t, str(error.params["currency"]), int(params["minimum_minor"]))
        params["total"] = _money(t, str(error.params["currency"]), int(params.get("total_minor", 0)))
    try:
        return t(template, **params)
    except (KeyError, IndexError, ValueError):  # a template that wants what the error lacks
        return t(GENERIC_ERROR)
