"""Domain errors in words: the one translator, from error code to a translated sentence.

Every handler shows a DomainError (or a FootprintError: anything with a `code` and
`params`) through `error_text`, so a code gets the same sentence everywhere. An entry
is a msgid template, or a function `(t, params) -> str` for a sentence that needs more
than filling in (the footprint's per-activity texts). Every `<name>_kg` param is also
offered as `<name>` in the person's units (available_kg -> "1.5 t"), and with a `currency`
param every `<name>_minor` as `<name>` in money (balance_minor -> "€2.50"); the error itself
is never changed. `ERROR_TEXTS` are the codes every feature meets; a feature adds
its own in its FEATURE, and `bot/app.py` keeps this bot's table in
`bot_data["error_texts"]` (`texts_of(context)`). Templates may use the error's params by name; a code not
listed here gets the generic sentence, never a crash. A text param is what the
person typed: it is quoted back cut short (bot.replies.echo).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from bot.i18n import N_, Translator
from bot.replies import echo


class CodedError(Protocol):
    code: str
    params: Mapping[str, object]


ErrorText = str | Callable[[Translator, Mapping[str, object]], str]

ERROR_TEXTS: dict[str, ErrorText] = {
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
    "not_enough_credits": N_("You hold only {available}. Please choose a smaller amount."),
    "bad_units": N_("Please type a whole number of units, for example 2."),
}
GENERIC_ERROR = N_("That did not work. Please try again.")
ERROR_TEXTS_KEY = "error_texts"  # bot_data: code -> msgid of this application


def texts_of(context) -> Mapping[str, ErrorText]:
    """This bot's error table (the common one when the bot was built without features)."""
    return context.bot_data.get(ERROR_TEXTS_KEY, ERROR_TEXTS)


def error_text(t: Translator, error: CodedError, texts: Mapping[str, ErrorText] = ERROR_TEXTS,
               **known: object) -> str:
    """The person's sentence for an error, in their language; `known` fills in what the
    error does not say itself (the step it happened at)."""
    params = {key: echo(value) if isinstance(value, str) else value for key, value in error.params.items()}
    for key, value in list(params.items()):
        if key.endswith("_kg") and isinstance(value, int) and not isinstance(value, bool):
            params.setdefault(key.removesuffix("_kg"), t.kg(value))
    if isinstance(error.params.get("currency"), str):  # card limits (core/purchases/card_limits.py), staff money
        for key, value in list(params.items()):
            if key.endswith("_minor") and isinstance(value, int) and not isinstance(value, bool):
                params.setdefault(key.removesuffix("_minor"), t.money(error.params["currency"], value))
    for key, value in known.items():
        params.setdefault(key, value)
    entry = texts.get(error.code, GENERIC_ERROR)
    try:
        return entry(t, params) if callable(entry) else t(entry, **params)
    except (KeyError, IndexError, ValueError):  # a template that wants what the error lacks
        return t(GENERIC_ERROR)
