"""An offer's terms as a trader chooses them: how long it stands, its minimum fill,
and what a filter bid accepts (a project type, a country, a range of vintages).

What people type is read here, in English, German and French, like the rest of
core.parsing: "7 days", "7 Tage", "7 jours", "24 h", "2 weeks", "until cancelled";
"all or nothing", "alles oder nichts", "tout ou rien", "min 500 kg"; "2018-2022",
"ab 2020"; a country by code or name. Each reader returns the value in core's
units or raises InputError with a stable code; "not this kind of text" is None
where a step reads several kinds (the confirmation reads a duration or a minimum
fill).

A duration is whole hours, 0 meaning "until cancelled" (good till cancelled, the
default); `expiry_of` turns it into the offer's `expires_at`. A minimum fill is
ANY (default: any part may fill), ALL (all or nothing: the offer fills only as a
whole, min_fill = amount) or a number of kg; `min_fill_kg_of` gives what
place_sell/place_bid take. book.MAX_EXPIRY (365 days) bounds a duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from core.errors import InputError
from core.parsing import MAX_INPUT_LENGTH, parse_amount_kg

UNTIL_CANCELLED = 0
HOURS_PER_DAY = 24
MAX_DURATION_H = 365 * HOURS_PER_DAY  # book.MAX_EXPIRY
DURATION_CHOICES_H = (24, 7 * 24, 30 * 24, UNTIL_CANCELLED)  # the chat's buttons: 1, 7, 30 days, until cancelled
ANY = "any"
ALL = "all"
MIN_VINTAGE, MAX_VINTAGE = 1990, 2100

_HOURS_PER_UNIT = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden", "heure", "heures"), 1),
    **dict.fromkeys(("d", "day", "days", "tag", "tage", "tagen", "j", "jour", "jours"), 24),  # never "t": tonnes
    **dict.fromkeys(("w", "wk", "week", "weeks", "woche", "wochen", "sem", "semaine", "semaines"), 7 * 24),
    **dict.fromkeys(("month", "months", "monat", "monate", "mois"), 30 * 24),
}
_DURATION = re.compile(r"^(?:for\s+|für\s+|pour\s+)?(?P<n>\d{1,4})\s*(?P<unit>[a-zäöüéè.]+)$")
_UNTIL_CANCELLED_WORDS = {
    "until cancelled", "until canceled", "until i cancel", "good till cancelled", "good till canceled", "gtc",
    "no expiry", "no end", "never", "unlimited", "bis auf widerruf", "bis zum zurückziehen", "unbegrenzt",
    "ohne ablauf", "ohne frist", "jusqu'à annulation", "jusqu’à annulation", "jusqu'au retrait", "sans limite",
    "sans fin", "illimité", "illimitée", "jamais",
}
_ALL_OR_NOTHING_WORDS = {
    "all or nothing", "all-or-nothing", "aon", "fill or nothing", "only whole", "as a whole", "alles oder nichts",
    "nur ganz", "nur komplett", "tout ou rien", "en entier", "en totalité",
}
_ANY_AMOUNT_WORDS = {
    "any amount", "any part", "any size", "partial", "partly", "beliebige menge", "jede menge", "beliebig",
    "teilweise", "in teilen", "n'importe quelle quantité", "n’importe quelle quantité", "toute quantité",
    "partiel", "partielle", "par parts",
}
# longest first: "mindestens" must not read as "min" + "destens"
_MIN_PREFIX = re.compile(r"^(?:mindestens|minimum|mind\.|mini|min\.?|at least|au moins)\s*(?:fill\s*)?:?\s*(?P<rest>.+)$")
# "skip" at an optional step: any country, any vintage
_ANY_WORDS = {
    "any", "anything", "skip", "all", "none", "no", "-", "—", "any country", "any vintage", "egal", "beliebig",
    "alle", "jedes", "jeder", "keine", "kein", "überspringen", "weiter", "tous", "toutes", "tout", "aucun",
    "peu importe", "passer", "n'importe", "n’importe", "n'importe lequel", "n’importe lequel",
    # the chat's buttons, typed
    "jedes land", "jeder jahrgang", "tout pays", "tout millésime", "n'importe quel pays", "n’importe quel pays",
}
_VINTAGE_RANGE = re.compile(r"^(?P<a>\d{4})\s*(?:-|–|—|\.\.|to|bis|à|a|au)\s*(?P<b>\d{4})$")
_VINTAGE_FROM = re.compile(r"^(?:from|since|ab|seit|von|à partir de|a partir de|depuis|dès)\s*(?P<a>\d{4})$|^(?P<b>\d{4})\s*\+$"
                           r"|^(?P<c>\d{4})\s*(?:or later|and later|und später|oder später|et après|ou plus tard)$")
_VINTAGE_TO = re.compile(r"^(?:until|up to|to|till|bis|jusqu'à|jusqu’à|jusqu'en|jusqu’en)\s*(?P<a>\d{4})$")


def _words(text: object) -> str:
    return " ".join(str(text or "").casefold().split()).rstrip(".!")


def is_any(text: str) -> bool:
    """Whether the text skips an optional choice ("any", "egal", "peu importe", "-")."""
    return _words(text) in _ANY_WORDS


# ---- how long an offer stands ----

def read_duration_h(text: str) -> int | None:
    """A duration as typed, in whole hours (0: until cancelled); None when the text is not
    a duration; InputError when it is one out of range (0 or more than a year)."""
    words = _words(text)
    if words in _UNTIL_CANCELLED_WORDS:
        return UNTIL_CANCELLED
    if len(words) > MAX_INPUT_LENGTH:
        return None
    match = _DURATION.match(words)
    if match is None or match["unit"].rstrip(".") not in _HOURS_PER_UNIT:
        return None
    hours = int(match["n"]) * _HOURS_PER_UNIT[match["unit"].rstrip(".")]
    if not 1 <= hours <= MAX_DURATION_H:
        raise InputError("duration_out_of_range", text=str(text).strip(), maximum_days=MAX_DURATION_H // 24)
    return hours


def parse_duration_h(text: str) -> int:
    """A duration as typed (read_duration_h), or InputError when the text is none."""
    hours = read_duration_h(text)
    if hours is None:
        raise InputError("duration_unknown", text=str(text).strip())
    return hours


def expiry_of(duration_h: int, now: datetime) -> datetime | None:
    """The offer's expires_at for a duration chosen `now` (None: until cancelled)."""
    if duration_h == UNTIL_CANCELLED:
        return None
    if not 1 <= duration_h <= MAX_DURATION_H:
        raise InputError("duration_out_of_range", text=str(duration_h), maximum_days=MAX_DURATION_H // 24)
    return now + timedelta(hours=duration_h)


# ---- the minimum fill ----

MinFill = str | int  # ANY, ALL or kg


def read_min_fill(text: str) -> MinFill | None:
    """"all or nothing" -> ALL, "any amount" -> ANY, "min 500 kg" -> 500; None when the text is
    none of these (InputError when "min ..." holds no amount)."""
    words = _words(text)
    if words in _ALL_OR_NOTHING_WORDS:
        return ALL
    if words in _ANY_AMOUNT_WORDS:
        return ANY
    match = _MIN_PREFIX.match(words)
    if match is None:
        return None
    return parse_amount_kg(match["rest"])


def parse_min_fill(text: str) -> MinFill:
    """A minimum fill as typed at its own step: the words of read_min_fill or a bare amount."""
    found = read_min_fill(text)
    return parse_amount_kg(text) if found is None else found


def check_min_fill(choice: MinFill, amount_kg: int) -> MinFill:
    """The choice, if an offer of `amount_kg` can have it (a minimum is at most the amount)."""
    if choice in (ANY, ALL):
        return choice
    if not isinstance(choice, int) or isinstance(choice, bool) or choice < 1:
        raise InputError("min_fill_unknown", text=str(choice))
    if choice > amount_kg:
        raise InputError("min_fill_above_amount", min_fill_kg=choice, amount_kg=amount_kg)
    return ALL if choice == amount_kg else choice


def min_fill_kg_of(choice: MinFill, amount_kg: int) -> int | None:
    """What place_sell / place_bid take as min_fill_kg (None: any part may fill)."""
    choice = check_min_fill(choice, amount_kg)
    if choice == ANY:
        return None
    return amount_kg if choice == ALL else choice


# ---- what a filter bid accepts ----

def parse_project_type(text: str, names: Mapping[str, Iterable[str]] | None = None) -> str:
    """A project type (core.registry.methodologies.ProjectType) by its value ("landfill_methane",
    "landfill methane") or by one of `names` (type -> the names a front end shows, in every
    language); a part of one name is enough when it is 5 letters or more and fits one type only."""
    from core.registry.methodologies import ProjectType

    words = _words(text).replace("_", " ").replace("-", " ")
    candidates = {kind.value: {kind.value.replace("_", " ")} for kind in ProjectType}
    for kind, shown in (names or {}).items():
        if kind in candidates:
            candidates[kind] |= {_words(name).replace("-", " ") for name in shown}
    exact = [kind for kind, known in candidates.items() if words in known]
    if exact:
        return exact[0]
    partly = [kind for kind, known in candidates.items() if len(words) >= 5 and any(words in k for k in known)]
    if len(partly) == 1:
        return partly[0]
    raise InputError("project_type_unknown", text=str(text).strip())


def parse_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 for a code or a name in en/de/fr ("DE", "Germany", "Deutschland");
    None for "any"; InputError otherwise."""
    from core.footprint.countries import resolve_country
    from core.footprint.errors import FootprintError

    if is_any(text):
        return None
    cleaned = " ".join(str(text or "").split())
    if not cleaned or len(cleaned) > MAX_INPUT_LENGTH:
        raise InputError("market_unknown_country", text=cleaned[:MAX_INPUT_LENGTH])
    try:
        return resolve_country(cleaned)
    except FootprintError:
        raise InputError("market_unknown_country", text=cleaned) from None


def parse_vintages(text: str) -> tuple[int | None, int | None]:
    """A vintage range as typed: "2020" (that year), "2018-2022", "from 2020" / "2020+",
    "until 2022"; (None, None) for "any"; InputError otherwise. A range typed backwards is turned round."""
    if is_any(text):
        return None, None
    words = _words(text)
    low = high = None
    if re.fullmatch(r"\d{4}", words):
        low = high = int(words)
    elif match := _VINTAGE_RANGE.match(words):
        low, high = sorted((int(match["a"]), int(match["b"])))
    elif match := _VINTAGE_FROM.match(words):
        low = int(match["a"] or match["b"] or match["c"])
    elif match := _VINTAGE_TO.match(words):
        high = int(match["a"])
    else:
        raise InputError("vintage_unknown", text=str(text).strip()[:MAX_INPUT_LENGTH])
    for year in (low, high):
        if year is not None and not MIN_VINTAGE <= year <= MAX_VINTAGE:
            raise InputError("vintage_out_of_range", text=str(text).strip(), minimum=MIN_VINTAGE,
                             maximum=MAX_VINTAGE)
    return low, high
