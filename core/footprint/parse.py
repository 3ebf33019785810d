"""Free text -> FootprintRequest: the forms people type, English plus German and
French basics.

Understood (case-insensitive; numbers take "1.5" or "1,5"):
  flights      "LHR CDG", "LHR CDG return", "LHR to CDG and back",
               "flight london to new york business", "Flug FRA nach JFK hin und zurück",
               "vol CDG - NCE aller-retour", "flight 5000 km", "2 passengers", "no rf"
  electricity  "350 kWh Germany", "350 kwh DE", "350 kwh de", "1.2 MWh France",
               "Strom 300 kWh AT"
  hotel        "2 nights hotel France", "3 Nächte Hotel Deutschland", "2 nuits hôtel FR",
               "2 nights hotel at"
  car          "120 km car diesel", "50 miles petrol car", "auto 30 km elektro small"
  rail         "rail 300 km", "train 80 km", "tram 5 km", "Zug 200 km", "underground 8 km"
  bus, taxi    "bus 20 km", "coach 300 km", "taxi 15 km"
  parcel       "parcel 5 kg 800 km", "parcel 2 kg 9000 km air", "Paket 3 kg 400 km"
  food         "2 kg beef", "500 g cheese", "1 kg Rindfleisch"
  spending     "spent 200 EUR on clothing", "€50 on books", "100 USD restaurants"
Numbers may use scientific notation ("1e3 kWh DE"). Anything else raises CannotParse;
a known activity without its number or country raises MissingInput naming what is
missing, and a digit left where a country, category or food belongs raises StrayNumber.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation

import pycountry

from core.footprint.errors import (
    CannotParse,
    FootprintError,
    MissingInput,
    NotPositive,
    StrayNumber,
    UnknownOption,
    Unrelated,
)
from core.footprint.limits import MAXIMA, checked, to_decimal
from core.footprint.request import FootprintRequest

# A leading minus is kept (so "-5 kWh" is refused as not positive, not read as 5),
# unless it follows a word or a number ("5-10 km", "LHR-CDG").
# Scientific notation ("1e9", "2.5E-1") takes an exponent of at most two digits, so no
# typed number is too long to print when it is refused as too large.
NUMBER = r"((?:(?<![\w.,])[-−]\s?)?\d+(?:[.,]\d+)*(?:[eE][-+]?\d{1,2}(?!\d))?)"
_KEYWORDS = {
    "flight": r"\b(flights?|fly|flying|flew|flug|fl[üu]ge|vol|vols|avion|plane)\b",
    "spend": r"\b(spent|spend|spending|bought|paid|ausgegeben|bezahlt|gekauft|d[ée]pens[ée]e?s?|pay[ée]e?s?|achet[ée]e?s?)\b",
    "electricity": r"(\d\s*(k|m)wh\b|\b(k|m)wh\b|\belectricity\b|\bstrom(verbrauch)?\b|\b[ée]lectricit[ée]\b)",
    "hotel": r"\b(hotels?|h[ôo]tels?|nights?|n[äa]chte|nacht|nuits?|übernachtung(en)?)\b",
    "parcel": r"\b(parcels?|packages?|pakete?|colis|shipping|shipment)\b",
    "taxi": r"\b(taxis?|cabs?|uber)\b",
    "bus": r"\b(bus|buses|coach|autobus|autocar|reisebus|fernbus|car\s+de\s+ligne)\b",
    "rail": r"\b(rail|train|trains|zug|bahn|tram|tramway|stra(ß|ss)enbahn|metro|m[ée]tro|subway|underground|tube|s-bahn|u-bahn|eurostar|tgv|ice)\b",
    "car": r"\b(car|cars|auto|pkw|voiture|drive|drove|driving|petrol|diesel|gasoline|hybrid|phev|bev|ev)\b",
}
_RETURN = r"\b(return|round[\s-]?trip|and back|there and back|hin und zur[üu]ck|retour|aller[\s-]retour|a/r)\b"
_CABINS = [
    (r"\bpremium[\s_-]?economy\b|\bpremium\b", "premium_economy"),
    (r"\bbusiness(\s+class)?\b|\bclasse\s+affaires\b|\baffaires\b", "business"),
    (r"\bfirst(\s+class)?\b|\berste\s+klasse\b|\bpremi[èe]re\b", "first"),
    (r"\beconomy(\s+class)?\b|\beco\b|\b[ée]conomique\b", "economy"),
]
_NO_RF = r"\b(no|without|ohne|sans)[\s-]+rf\b"
_PASSENGERS = NUMBER + r"\s*(passengers?|people|persons?|pax|personen|personnes|passagiere?)\b"
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
# Currency words people type, in English, German and French -> ISO 4217.
_CURRENCY_WORDS = [
    (r"francs?\s+suisses?|swiss\s+francs?|schweizer\s+franken|franken|sfr", "CHF"),
    (r"euros?", "EUR"), (r"(us\s+)?dollars?|bucks", "USD"),
    (r"(british\s+)?pounds?(\s+sterling)?|pfund|livres?\s+sterling", "GBP"),
    (r"yens?", "JPY"), (r"kronen|couronnes", "SEK"),
]
_CURRENCY_WORD = "(" + "|".join(p for p, _ in _CURRENCY_WORDS) + ")"
_FILLER = (r"\b(from|von|de|du|des|in|im|ins|en|au|aux|à|a|an|the|my|our|for|für|pour|on|of|"
           r"at|with|mit|avec|home|zu hause|der|die|das|dem|den|ein|eine|einen|einem|einer|"
           r"le|la|les|un|une|sur|dans|par|chez|am|zum|zur|auf|bei|über|im|and|und|et|some|"
           r"meine?n?|mon|ma|mes|total|insgesamt|stay|aufenthalt|s[ée]jour)\b")
# Greetings and politeness: not part of what to calculate.
_POLITE = (r"\b(hi|hello|hey|good\s+(morning|afternoon|evening)|please|thanks|thank\s+you|"
           r"hallo|moin|servus|guten\s+(morgen|tag|abend)|bitte|danke(\s+sch[öo]n)?|"
           r"bonjour|bonsoir|salut|coucou|s'il\s+(te|vous)\s+pla[iî]t|svp|stp|merci"
           r"(\s+beaucoup)?)\b[\s,.!?]*")
# Moving credits or money to someone: not a footprint, whatever numbers come with it.
_TRANSFER = (r"\b(send|sending|transfer|give|schick\w*|send\w*|überweis\w*|gib|"
             r"envoie\w*|envoy\w*|transf[ée]r\w*|donne\w*|virement)\b")
_ROUTE = r"\s*(?:[-–—>→]+|\bto\b|\bnach\b|\bbis\b|\bà\b|\ba\b|\bvers\b|\bjusqu'?à\b)\s*"


# The language of the text being read (set by parse_request for one call).
_LANGUAGE: ContextVar[str] = ContextVar("footprint_parse_language", default="en")


def _number(text: str) -> Decimal:
    """'1,5' -> 1.5, '1,500' and '1.500,5' read the usual ways, '1e3' -> 1000 (plain,
    never 1E+3); '1.2.3' is CannotParse. In German and French text a dot before exactly
    three digits groups thousands ("1.200 kWh" is 1200)."""
    original = text
    text, _, exponent = re.sub(r"\s", "", text).replace("\u2212", "-").lower().partition("e")
    if _LANGUAGE.get() in ("de", "fr") and "," not in text and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") \
            else text.replace(",", "")
    elif text.count(",") == 1 and len(text.split(",")[1]) != 3:
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        value = Decimal(text + ("e" + exponent if exponent else ""))
    except InvalidOperation:
        raise CannotParse(f"cannot read {original!r} as a number", text=original) from None
    return Decimal(f"{value:f}") if exponent else value


def _take(pattern: str, text: str) -> tuple[re.Match[str] | None, str]:
    """The first match of pattern and the text without it."""
    m = re.search(pattern, text, flags=re.IGNORECASE)
    if m is None:
        return None, text
    return m, (text[:m.start()] + " " + text[m.end():])


def _rest(text: str) -> str:
    """The words left once filler is gone; an upper-case code ("DE", "AT") is kept."""
    words = re.sub(r"[,;:!?.]+(\s|$)", " ", text).split()
    return " ".join(w for w in words if not re.fullmatch(_FILLER, w, flags=re.IGNORECASE)
                    or (w.isupper() and len(w) in (2, 3)))


def _name(text: str, activity: str, field: str) -> str:
    """The country, category or food left in text; StrayNumber if a digit is among it."""
    name = _rest(text)
    if re.search(r"\d", name):
        raise StrayNumber(f"a number in {name!r}, where the {field} should be", text=name,
                          activity=activity, field=field)
    return name


def _country(rest: str, text: str, activity: str) -> str:
    """The country left in rest; "" if none.

    "350 kwh de", "2 nights hotel at": a lower-case code that is also a filler word was
    dropped from rest; when nothing else is left and such a word ends the text, it is
    the country (upper-cased, as people mean the code).
    """
    country = _name(rest, activity, "country")
    if country:
        return country
    words = re.sub(r"[,;:!?]", " ", rest).split()
    last = (re.sub(r"[,;:!?]", " ", text).split() or [""])[-1]
    if (words and words[-1] == last and len(last) == 2
            and re.fullmatch(_FILLER, last, flags=re.IGNORECASE)
            and pycountry.countries.get(alpha_2=last.upper()) is not None):
        return last.upper()
    return ""


def _distance(text: str) -> tuple[Decimal | None, str, str]:
    m, rest = _take(NUMBER + r"\s*(km|kilometers?|kilometres?|kilometer|miles?|mi|meilen)\b",
                    text)
    if m is None:
        return None, "km", text
    unit = "miles" if m.group(2).lower().startswith(("mi", "mei")) else "km"
    return _number(m.group(1)), unit, rest


def _kg(text: str) -> tuple[Decimal | None, str]:
    m, rest = _take(NUMBER + r"\s*(kg|kilos?|kilograms?|kilogramm|g|grams?|gramm|t|tonnes?)\b",
                    text)
    if m is None:
        return None, text
    value, unit = _number(m.group(1)), m.group(2).lower()
    if unit.startswith("g"):
        value = value / 1000
    elif unit.startswith("t"):
        value = value * 1000
    return value, rest


def _detect(text: str) -> str | None:
    for activity in ("spend", "parcel", "electricity", "hotel", "taxi", "bus", "rail",
                     "flight", "car"):
        if re.search(_KEYWORDS[activity], text, flags=re.IGNORECASE):
            return activity
    if re.search(r"[€$£¥]\s*\d|\d\s*[€$£¥]|\b\d+(?:[.,]\d+)?\s*[A-Za-z]{3}\s+(on|for|für|pour)\b",
                 text) or _names_money(text) or re.search(
                     r"\d\s*" + _CURRENCY_WORD + r"\b", text, flags=re.IGNORECASE):
        return "spend"
    if re.search(NUMBER + r"\s*(kg|g|kilos?|grams?|gramm)\b", text, flags=re.IGNORECASE):
        return "food"
    if re.fullmatch(r"\s*[A-Za-z]{3}\s*([-–—>→/]+|\s+to\s+|\s+nach\s+|\s+à\s+|\s)\s*[A-Za-z]{3}\b.*",
                    text):
        return "flight"
    return None


def _names_money(text: str) -> bool:
    """"100 USD restaurants": a number, a currency code the ECB rates know, then a word."""
    from core.footprint.spend import is_known_currency

    return any(is_known_currency(m.group(2))
               for m in re.finditer(NUMBER + r"\s*([A-Za-z]{3})\s+\w", text))


def _normalise(text: str) -> str:
    """One line, elisions opened ("d'hôtel" -> "hôtel", "l'hôtel" -> "hôtel"), greetings
    and politeness dropped."""
    cleaned = " ".join(str(text).replace("’", "'").split())
    cleaned = re.sub(r"\b(d|l|qu|j|n)'(?=\w)", " ", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(_POLITE, " ", cleaned, flags=re.IGNORECASE)
    return " ".join(cleaned.split()).strip(" ,.!?")


def parse_request(text: str, language: str | None = None) -> FootprintRequest:
    """A structured request for free text, or CannotParse / MissingInput / Unrelated.

    `language` ("en", "de", "fr"): the person's language, for numbers whose reading
    differs ("1.200" is 1200 in German and French, 1.2 in English).
    """
    token = _LANGUAGE.set(language or "en")
    try:
        return _parse(text)
    finally:
        _LANGUAGE.reset(token)


def _parse(text: str) -> FootprintRequest:
    cleaned = _normalise(text)
    activity = _detect(cleaned) if cleaned else None
    if activity is None and cleaned and _names_two_airports(cleaned):
        activity = "flight"
    if activity is None:
        raise CannotParse(f"cannot tell which activity {text!r} describes", text=text)
    if activity != "parcel" and re.search(_TRANSFER, cleaned, flags=re.IGNORECASE):
        raise Unrelated(f"{text!r} is not a footprint", text=text, words=cleaned)
    request = _PARSERS[activity](cleaned)
    _check_names(request, text)
    return request


def _check_names(request: FootprintRequest, text: str) -> None:
    """A food or country of several words that is not known is not read as one ("send
    to Alice" is not a food): Unrelated, saying what can be done. A spending category
    follows "spent"/"on", so an unknown one is said as such ("wool socks")."""
    from core.footprint.countries import resolve_country
    from core.footprint.food import resolve_food

    field, resolve = {"food": ("item", resolve_food),
                      "hotel": ("country", resolve_country),
                      "electricity": ("country", resolve_country)}.get(request.activity,
                                                                      (None, None))
    if field is None:
        return
    name = str(request.params.get(field, ""))
    try:
        resolve(name)
    except FootprintError as error:
        if len(name.split()) > 1 and error.code not in ("place_typo",):
            raise Unrelated(f"{text!r}: {name!r} is not a {field}", text=text,
                            words=name, activity=request.activity, field=field) from None


def _names_two_airports(text: str) -> bool:
    """"Paris to London": no keyword, but both sides are places with airports."""
    from core.footprint.airports import names_an_airport

    try:
        request = _flight(text)
        if not all(names_an_airport(str(request.params[side]))
                   for side in ("origin", "destination")):
            return False
    except (FootprintError, KeyError):
        return False
    return request.activity == "flight"


def _flight(text: str) -> FootprintRequest:
    params: dict[str, object] = {}
    m, text = _take(_RETURN, text)
    params["is_return"] = m is not None
    for pattern, cabin in _CABINS:
        m, text = _take(pattern, text)
        if m is not None:
            params["cabin"] = cabin
            break
    m, text = _take(_NO_RF, text)
    if m is not None:
        params["with_rf"] = False
    m, text = _take(_PASSENGERS, text)
    if m is not None:
        params["passengers"] = _number(m.group(1))
    text = re.sub(r"\b(one[\s-]way|einfach|aller\s+simple|class|klasse|classe)\b", " ", text,
                  flags=re.IGNORECASE)
    text = re.sub(_KEYWORDS["flight"], " ", text, flags=re.IGNORECASE)
    km, _unit, rest = _distance(text)
    if km is not None:
        return FootprintRequest("flight_distance", {"distance_km": km, **params})
    text = re.sub(r"^\s*(from|von|de|depuis)\b", " ", text.strip(), flags=re.IGNORECASE)
    parts = re.split(r"\s*(?:[-–—>→/]+|\bto\b|\bnach\b|\bà\b|\bvers\b|\bpour\b)\s*", text,
                     flags=re.IGNORECASE)
    parts = [p.strip(" ,.") for p in parts if p.strip(" ,.")]
    if len(parts) == 1 and len(parts[0].split()) == 2:
        parts = parts[0].split()
    elif len(parts) == 1 and len(parts[0].split()) > 2:
        parts = _split_two(parts[0].split(), _is_airport) or parts
    if len(parts) < 2:
        raise MissingInput("a flight needs where from and where to", activity="flight",
                           missing="destination" if parts else "origin")
    return FootprintRequest("flight", {"origin": parts[0], "destination": parts[1],
                                       **params})


def _is_airport(text: str) -> bool:
    from core.footprint.airports import names_an_airport

    return names_an_airport(text) or (len(text) == 3 and text.isalpha())


def _is_place(text: str) -> bool:
    from core.footprint.places import find_place

    return find_place(text) is not None


def _split_two(words: list[str], known) -> list[str] | None:
    """"Paris New York" -> ["Paris", "New York"]: the split whose two sides are known."""
    for i in range(1, len(words)):
        left, right = " ".join(words[:i]), " ".join(words[i:])
        if known(left) and known(right):
            return [left, right]
    return None


_GROUND_WORDS = (r"\b(by|per|mit|en|in|im|the|dem|der|with|ride|trip|journey|fahrt|reise|"
                 r"trajet|voyage|national|international)\b")


def _places(activity: str, text: str) -> tuple[str, str] | None:
    """Two named places of a ground trip ("London to Edinburgh", "von Berlin nach
    Hamburg", "de Paris à Lyon", "Paris Bruxelles"), or None."""
    for pattern in [_KEYWORDS[activity], _KEYWORDS["car"], _GROUND_WORDS,
                    *(p for p, _ in _FUELS), *(p for p, _ in _SIZES),
                    r"\b(voiture|auto|pkw|taxi|coach|fernbus|reisebus|autocar|car de ligne)\b"]:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    text = re.sub(r"^\s*(from|von|ab|de|depuis|entre|between|zwischen)\b", " ", text.strip(),
                  flags=re.IGNORECASE)
    parts = [p.strip(" ,.") for p in re.split(_ROUTE + r"|\s+(?:and|und|et)\s+", text.strip(),
                                                 flags=re.IGNORECASE) if p.strip(" ,.")]
    if len(parts) == 1:
        parts = _split_two(parts[0].split(), _is_place) or parts
    if len(parts) != 2:
        return None
    parts = [re.sub(r"^(from|von|de|du|des|la|le)\s+", "", p, flags=re.IGNORECASE) for p in parts]
    if not all(_is_place(p) for p in parts):
        from core.footprint.countries import place_slips
        if any(place_slips(p) for p in parts) and any(_is_place(p) for p in parts):
            return parts[0], parts[1]  # compute asks about the slip
        return None
    return parts[0], parts[1]


def _electricity(text: str) -> FootprintRequest:
    m, rest = _take(NUMBER + r"\s*(kwh|mwh)\b", text)
    if m is None:
        raise MissingInput("how many kWh?", activity="electricity", missing="kwh")
    kwh = _number(m.group(1)) * (1000 if m.group(2).lower() == "mwh" else 1)
    rest = re.sub(_KEYWORDS["electricity"], " ", rest, flags=re.IGNORECASE)
    country = _country(rest, text, "electricity")
    if not country:
        raise MissingInput("in which country?", activity="electricity", missing="country")
    return FootprintRequest("electricity", {"kwh": kwh, "country": country})


def _hotel(text: str) -> FootprintRequest:
    m, rest = _take(NUMBER + r"\s*(nights?|n[äa]chte|nacht|nuits?|übernachtung(en)?)\b", text)
    if m is None:
        m, rest = _take(r"\b(nights?|n[äa]chte|nuits?|übernachtung(en)?)\s*:?\s*" + NUMBER, text)
        nights = _number(m.group(3)) if m else None
    else:
        nights = _number(m.group(1))
    if nights is None:  # "a night", "eine Nacht", "une nuit", "hotel night": one
        m, rest = _take(r"\b((a|one|eine|1|une|un)\s+)?(night|nacht|nuit|übernachtung)\b", text)
        nights = Decimal(1) if m else None
    if nights is None:
        rest_words = re.sub(r"\b(hotels?|h[ôo]tels?)\b", " ", text, flags=re.IGNORECASE)
        missing = "nights" if _rest(rest_words) else "nights_and_country"
        raise MissingInput("how many nights?", activity="hotel", missing=missing)
    params: dict[str, object] = {"nights": nights}
    r, rest = _take(NUMBER + r"\s*(rooms?|zimmer|chambres?)\b", rest)
    if r is not None:
        params["rooms"] = _number(r.group(1))
    rest = re.sub(r"\b(hotels?|h[ôo]tels?|stay|aufenthalt|s[ée]jour|nights?|n[äa]chte|"
                  r"nuits?|übernachtung(en)?)\b", " ", rest, flags=re.IGNORECASE)
    country = _country(rest, text, "hotel")
    if not country:
        raise MissingInput("in which country?", activity="hotel", missing="country")
    params["country"] = country
    return FootprintRequest("hotel", params)


def _option(text: str, table: list[tuple[str, str]]) -> str | None:
    for pattern, value in table:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return value
    return None


_FUELS = [(r"\bplug[\s-]?in\b|\bphev\b", "plug_in_hybrid"),
          (r"\b(battery|electric|elektro|[ée]lectrique|bev|ev)\b", "battery_electric"),
          (r"\bhybrid|hybride\b", "hybrid"), (r"\bdiesel\b", "diesel"),
          (r"\b(petrol|gasoline|benzin(er)?|essence)\b", "petrol")]
_SIZES = [(r"\b(small|klein|petite?)\b", "small"), (r"\b(medium|mittel|moyenne?)\b", "medium"),
          (r"\b(large|big|gro(ß|ss)|grande?)\b", "large")]


def _car(text: str) -> FootprintRequest:
    km, unit, _rest_text = _distance(text)
    if km is None:
        places = _places("car", text)
        if places is None:
            raise MissingInput("how far?", activity="car", missing="distance")
        params: dict[str, object] = {"origin": places[0], "destination": places[1]}
    else:
        params = {"distance": km, "unit": unit}
    if fuel := _option(text, _FUELS):
        params["fuel"] = fuel
    if size := _option(text, _SIZES):
        params["size"] = size
    return FootprintRequest("car", params)


def _km_only(activity: str, text: str) -> tuple[Decimal | None, dict[str, object]]:
    km, unit, rest = _distance(text)
    if km is None:
        places = _places(activity, text)
        if places is None:
            raise MissingInput("how far?", activity=activity, missing="distance")
        return None, {"origin": places[0], "destination": places[1]}
    params: dict[str, object] = {}
    m, _ = _take(_PASSENGERS, rest)
    if m is not None and activity != "taxi":
        params["passengers"] = _number(m.group(1))
    if unit == "miles":
        km = (km * Decimal("1.609344")).quantize(Decimal("0.1"))
    return km, params


def _rail(text: str) -> FootprintRequest:
    km, params = _km_only("rail", text)
    kind = _option(text, [(r"\b(tram|tramway|light rail|stra(ß|ss)enbahn)\b", "light_rail"),
                          (r"\b(underground|tube|metro|m[ée]tro|subway|u-bahn)\b",
                           "underground"),
                          (r"\b(international|eurostar)\b", "international_rail")])
    return FootprintRequest("rail", {**({"distance_km": km} if km is not None else {}),
                                     **params, **({"kind": kind} if kind else {})})


def _bus(text: str) -> FootprintRequest:
    km, params = _km_only("bus", text)
    if re.search(r"\b(coach|reisebus|fernbus|autocar|car de ligne)\b", text,
                 flags=re.IGNORECASE):
        params["kind"] = "coach"
    return FootprintRequest("bus", {**({"distance_km": km} if km is not None else {}),
                                    **params})


def _taxi(text: str) -> FootprintRequest:
    km, params = _km_only("taxi", text)
    return FootprintRequest("taxi", {"distance_km": km} if km is not None else params)


def _parcel(text: str) -> FootprintRequest:
    kg, rest = _kg(text)
    km, _unit, rest = _distance(rest)
    if kg is None:
        raise MissingInput("how heavy?", activity="parcel", missing="weight_kg")
    if km is None:
        raise MissingInput("how far?", activity="parcel", missing="distance_km")
    params: dict[str, object] = {"weight_kg": kg, "distance_km": km}
    mode = _option(rest, [(r"\b(air|plane|flight|luftfracht|avion|a[ée]rien)\b", "air"),
                          (r"\b(sea|ship|boat|schiff|bateau|mer)\b", "sea"),
                          (r"\b(rail|train|zug|bahn)\b", "rail"), (r"\bvan\b", "van"),
                          (r"\b(road|truck|lorry|lkw|camion|route)\b", "road")])
    if mode:
        params["mode"] = mode
    if re.search(_NO_RF, rest, flags=re.IGNORECASE):
        params["with_rf"] = False
    return FootprintRequest("parcel", params)


def _food(text: str) -> FootprintRequest:
    kg, rest = _kg(text)
    if kg is None:
        raise MissingInput("how many kg?", activity="food", missing="kg")
    item = _name(rest, "food", "item")
    if not item:
        raise MissingInput("which food?", activity="food", missing="item")
    return FootprintRequest("food", {"item": item, "kg": kg})


def _spend(text: str) -> FootprintRequest:
    text = re.sub(_KEYWORDS["spend"], " ", text, flags=re.IGNORECASE)
    currency = None
    m, rest = _take(r"([€$£¥])\s*" + NUMBER, text)
    w, rest_w = _take(NUMBER + r"\s*" + _CURRENCY_WORD + r"\b", text)
    if m is not None:
        currency, amount = _CURRENCY_SYMBOLS[m.group(1)], _number(m.group(2))
    elif w is not None:
        amount, rest = _number(w.group(1)), rest_w
        currency = next(code for pattern, code in _CURRENCY_WORDS
                        if re.fullmatch(pattern, w.group(2), flags=re.IGNORECASE))
    else:
        m, rest = _take(NUMBER + r"\s*([€$£¥]|[A-Za-z]{3}\b)", text)
        if m is None:
            raise MissingInput("how much money?", activity="spend", missing="amount")
        amount = _number(m.group(1))
        currency = _CURRENCY_SYMBOLS.get(m.group(2), m.group(2).upper())
    category = _name(rest, "spend", "category")
    if not category:
        raise MissingInput("spent on what?", activity="spend", missing="category")
    return FootprintRequest("spend", {"amount": amount, "currency": currency,
                                      "category": category})


_PARSERS = {"flight": _flight, "electricity": _electricity, "hotel": _hotel, "car": _car,
            "rail": _rail, "bus": _bus, "taxi": _taxi, "parcel": _parcel, "food": _food,
            "spend": _spend}


# Unit words a typed quantity may carry -> (base unit, multiplier to it).
_QUANTITY_UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("kwh",), ("kWh", Decimal(1))),
    **dict.fromkeys(("mwh",), ("kWh", Decimal(1000))),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramm",
                     "kilogramme", "kilogrammes"), ("kg", Decimal(1))),
    **dict.fromkeys(("g", "gram", "grams", "gramm", "gramme", "grammes"),
                    ("kg", Decimal("0.001"))),
    **dict.fromkeys(("t", "tonne", "tonnes", "ton", "tons"), ("kg", Decimal(1000))),
    **dict.fromkeys(("km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"),
                    ("km", Decimal(1))),
    **dict.fromkeys(("mi", "mile", "miles", "meile", "meilen"), ("miles", Decimal(1))),
}
# Words that only repeat what was asked ("2 nights", "3 passengers"): no conversion.
_COUNT_WORDS = {"night", "nights", "nacht", "nächte", "nachte", "nuit", "nuits",
                "passenger", "passengers", "people", "persons", "pax", "personen",
                "personnes", "passagiere", "room", "rooms", "zimmer", "chambres", "x", "×"}
_KM_PER_MILE = Decimal("1.609344")


def parse_quantity(text: str, field: str, *, limit: str | None = None,
                   keep_miles: bool = False,
                   units: tuple[str, ...] | None = None) -> tuple[Decimal, str | None]:
    """A typed quantity ("350", "1,5 MWh", "500 g", "75 miles") in its base unit.

    Returns the value (kWh, kg or km; miles are converted to km unless keep_miles)
    and the unit named (None when none was typed). The value is checked against
    limits.MAXIMA[limit or field] when there is one: NotPositive for zero, negative
    or not a number, TooLarge beyond the maximum, UnknownOption for a unit word
    that is not one of the known ones (or not one of `units`, when given).
    """
    cleaned = " ".join(str(text).split()).lower()
    m = re.fullmatch(r"([-\u2212+]?)\s*(\d+(?:[.,]\d+)*(?:e[-+]?\d{1,2}(?!\d))?)\s*([^\d\s.,]+)?\.?",
                     cleaned)
    if m is None:
        raise NotPositive(f"{field} must be a positive number, not {text!r}", field=field,
                          value=text)
    try:
        value = _number(m.group(2))
    except CannotParse:
        raise NotPositive(f"{field} must be a positive number, not {text!r}", field=field,
                          value=text) from None
    if m.group(1) in ("-", "\u2212"):
        value = -value
    word, unit = m.group(3), None
    if word and word not in _COUNT_WORDS:
        if word not in _QUANTITY_UNITS or (units is not None
                                           and _QUANTITY_UNITS[word][0] not in units):
            options = list(units) if units is not None else sorted(
                {u for u, _ in _QUANTITY_UNITS.values()})
            raise UnknownOption(f"unknown unit {word!r}", field="unit", value=word,
                                options=options)
        unit, multiplier = _QUANTITY_UNITS[word]
        value *= multiplier
        if unit == "miles" and not keep_miles:
            unit, value = "km", value * _KM_PER_MILE
    key = limit or field
    number = checked(value, field, key) if key in MAXIMA else to_decimal(value, field)
    return number, unit
