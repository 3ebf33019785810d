"""Reading what people type: one function per kind of value.

Every function takes the raw text, accepts the forms people actually type
("1,5", "1.5 t", "1500kg", "2 tonnes") and returns the value in the unit core
uses, or raises `InputError` with a stable code (`amount_not_a_number`, ...)
and the parameters a front end needs to say what went wrong. Nothing here is
Telegram-specific; the bot and the web forms share it.

Decimal separators: a lone "," or "." is the decimal mark ("1,5" = "1.5");
when both appear, the last one is the decimal mark and the other groups
thousands ("1.500,5" = "1,500.5"). Spaces, apostrophes and thin spaces
between digits group thousands ("1 500 kg").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.errors import InputError

KG_PER_TONNE = 1000
# A purchase or an offer above 100,000 t is a typo, not an order; staff tools
# that issue whole batches read their amounts elsewhere.
MAX_AMOUNT_KG = 100_000 * KG_PER_TONNE
MAX_INPUT_LENGTH = 40

_UNITS_KG = {
    "t": 1000, "tonne": 1000, "tonnes": 1000, "ton": 1000, "tons": 1000, "tonnen": 1000,
    "tonnes co2e": 1000, "t co2e": 1000, "t co2": 1000, "tco2e": 1000, "tco2": 1000,
    "credit": 1000, "credits": 1000, "kredit": 1000, "kredite": 1000, "crédit": 1000,
    "crédits": 1000,
    "kg": 1, "kgs": 1, "kilo": 1, "kilos": 1, "kilogram": 1, "kilograms": 1,
    "kilogramm": 1, "kilogramme": 1, "kilogrammes": 1, "kg co2e": 1, "kg co2": 1,
    "kgco2e": 1, "kgco2": 1,
}
_AMOUNT = re.compile(r"^\s*(?P<number>[+-]?[\d\s.,'\u202f\u00a0]*\d[\d.,]*|[+-]?[.,]\d+)\s*(?P<unit>[^\W\d][\w ]*)?\s*$")
_GROUPING = re.compile(r"(?<=\d)[\s'\u202f\u00a0](?=\d)")


def parse_decimal(text: str) -> Decimal:
    """A number as people type it ("1,5", "1.500,25", "2 000"); InputError otherwise."""
    raw = _GROUPING.sub("", text.strip())
    if not raw:
        raise InputError("amount_empty")
    sign = ""
    if raw[0] in "+-":
        sign, raw = raw[0], raw[1:]
    if not re.fullmatch(r"[\d.,]+", raw) or not any(c.isdigit() for c in raw):
        raise InputError("amount_not_a_number", text=text.strip())
    marks = [c for c in raw if c in ".,"]
    if marks:
        decimal_mark = raw[max(raw.rfind("."), raw.rfind(","))]
        grouping = "," if decimal_mark == "." else "."
        if raw.count(decimal_mark) > 1 and grouping not in raw:
            # "1.500.000" or "1,500,000": every mark groups thousands.
            if not re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw):
                raise InputError("amount_not_a_number", text=text.strip())
            raw = raw.replace(decimal_mark, "")
        else:
            head, _, tail = raw.rpartition(decimal_mark)
            if grouping in head and not re.fullmatch(r"\d{1,3}([.,]\d{3})+", head):
                raise InputError("amount_not_a_number", text=text.strip())
            raw = head.replace(grouping, "") + "." + tail
    try:
        return Decimal(sign + raw)
    except InvalidOperation:
        raise InputError("amount_not_a_number", text=text.strip()) from None


def parse_amount_kg(text: str) -> int:
    """An amount of CO2e as typed ("0,5 t", "250 kg", "1,5" = 1.5 t) in whole kg.

    No unit means tonnes (one credit is one tonne). Refuses zero and negative
    amounts, more than MAX_AMOUNT_KG, less than 1 kg and fractions of a kg.
    """
    text = (text or "").strip()
    if not text:
        raise InputError("amount_empty")
    if len(text) > MAX_INPUT_LENGTH:
        raise InputError("amount_not_a_number", text=text[:MAX_INPUT_LENGTH] + "…")
    match = _AMOUNT.match(text.replace("−", "-"))
    if match is None:
        raise InputError("amount_not_a_number", text=text)
    unit = " ".join((match["unit"] or "").lower().replace("₂", "2").split())
    if unit and unit not in _UNITS_KG:
        raise InputError("amount_unknown_unit", text=text, unit=(match["unit"] or "").strip())
    factor = _UNITS_KG.get(unit, KG_PER_TONNE)
    number = parse_decimal(match["number"])
    if number <= 0:
        raise InputError("amount_not_positive", text=text)
    kg = number * factor
    if kg > MAX_AMOUNT_KG:
        raise InputError("amount_too_large", text=text, max_kg=MAX_AMOUNT_KG)
    if kg < 1:
        raise InputError("amount_too_small", text=text, min_kg=1)
    if kg != kg.to_integral_value():
        raise InputError("amount_not_whole_kg", text=text)
    return int(kg)


MAX_PRICE_PER_T = 1_000_000
MAX_STARS = 1_000_000
_PRICE = re.compile(
    r"^\s*(?P<number>[\d\s.,'\u202f\u00a0]*\d[\d.,]*)\s*(?:⭐|stars?|sterne?|étoiles?|xtr)?\s*"
    r"(?:(?:/|per|pro|par)\s*(?:t|tonne|tonnes|ton|tons|tonnen))?\s*$",
    re.IGNORECASE,
)


def _whole_stars(text: str, prefix: str, maximum: int) -> int:
    text = (text or "").strip()
    if not text:
        raise InputError(f"{prefix}_empty")
    if len(text) > MAX_INPUT_LENGTH:
        raise InputError(f"{prefix}_not_a_number", text=text[:MAX_INPUT_LENGTH] + "…")
    if text.lstrip().startswith(("-", "−")):
        raise InputError(f"{prefix}_not_positive", text=text)
    match = _PRICE.match(text)
    if match is None:
        raise InputError(f"{prefix}_not_a_number", text=text)
    try:
        number = parse_decimal(match["number"])
    except InputError:
        raise InputError(f"{prefix}_not_a_number", text=text) from None
    if number <= 0:
        raise InputError(f"{prefix}_not_positive", text=text)
    if number != number.to_integral_value():
        raise InputError(f"{prefix}_not_whole", text=text)
    if number > maximum:
        raise InputError(f"{prefix}_too_large", text=text, maximum=maximum)
    return int(number)


def parse_price_per_t(text: str) -> int:
    """A price per tonne in whole Stars as typed ("900", "900 ⭐/t", "1.200 per t")."""
    return _whole_stars(text, "price", MAX_PRICE_PER_T)


def parse_stars(text: str) -> int:
    """A number of whole Stars as typed ("500", "500 ⭐")."""
    return _whole_stars(text, "stars", MAX_STARS)
