"""Airports by IATA code or city name, and the great-circle distance between them.

Coordinates come from the `airportsdata` package (MIT). A city name resolves to
its main airport by one rule: the shipped list data/main_airports.csv (the city's
busiest passenger airport, plus German and French spellings) wins; otherwise a
city with exactly one IATA airport resolves to it; a city with several raises
AmbiguousAirport carrying the candidates, so the bot can ask "which one?".
"""

from __future__ import annotations

import csv
import difflib
import math
import unicodedata
from dataclasses import dataclass
from functools import cache

import airportsdata

from core.footprint.errors import AirportTypo, AmbiguousAirport, UnknownAirport
from core.footprint.factors import DATA_DIR

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius


@dataclass(frozen=True)
class Airport:
    iata: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float

    @property
    def display(self) -> str:
        """"Paris Charles de Gaulle", "London Heathrow": the city and the airport's name."""
        name = self.name
        for tail in (" International Airport", " Airport", " Airfield"):
            if name.endswith(tail) and len(name) > len(tail):
                name = name[:-len(tail)]
                break
        if self.city and self.city.lower() not in name.lower():
            name = f"{self.city} {name}"
        return name


@cache
def _airports() -> dict[str, Airport]:
    return {code: Airport(code, a["name"], a["city"], a["country"], a["lat"], a["lon"])
            for code, a in airportsdata.load("IATA").items()}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", " ".join(text.lower().split()))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def _by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for code, a in _airports().items():
        if a.city:
            cities.setdefault(_fold(a.city), []).append(code)
    return cities


@cache
def _main_airports() -> dict[str, str]:
    with (DATA_DIR / "main_airports.csv").open(newline="", encoding="utf-8") as f:
        return {_fold(r["city"]): r["iata"] for r in csv.DictReader(f)}


def get_airport(code: str) -> Airport | None:
    return _airports().get(code.strip().upper())


def airport_candidates(text: str) -> list[Airport]:
    """Every airport the text may mean: the code itself, else the city's airports."""
    if (hit := get_airport(text)) is not None and len(text.strip()) == 3:
        return [hit]
    return [_airports()[c] for c in _by_city().get(_fold(text), [])]


def one_slip(a: str, b: str, *, insertions: bool = False) -> bool:
    """b is one substitution or one swap of neighbouring letters away from a (or, with
    `insertions`, one letter more or less)."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if insertions and abs(len(a) - len(b)) == 1:
        short, long_ = sorted((a, b), key=len)
        return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
    return False


@cache
def _trusted_codes() -> frozenset[str]:
    """Main airports and the other airports of main cities (LGW, ORY): never asked about."""
    mains = set(_main_airports().values())
    cities = {_fold(_airports()[c].city) for c in mains if c in _airports()}
    return frozenset(mains | {c for city in cities for c in _by_city().get(city, [])})


def typo_candidates(text: str) -> list[str]:
    """The airports to ask about when `text` may be a slip for a main airport: the typed
    airport first (when it exists), then the main airports one slip away; [] when the
    text is a main airport, or nothing main is one slip away.

    Codes: "CGD" (Changde) -> [CGD, CDG, CGK]; "JKF" (none) -> [JFK]; "CDG" -> [].
    City names: "Lodnon" -> [LHR]; swaps and substitutions, and for names of five
    letters or more one letter more or less.
    """
    cleaned = text.strip()
    mains = sorted(set(_main_airports().values()))
    if len(cleaned) == 3 and cleaned.isalpha():
        code = cleaned.upper()
        if code in _trusted_codes():
            return []
        near = [m for m in mains if one_slip(code, m)]
        swaps = [m for m in near if sorted(m) == sorted(code)]
        near = swaps + [m for m in near if m not in swaps]
        if not near:
            return []
        return ([code] if get_airport(code) else []) + near
    folded = _fold(cleaned)
    if folded in _main_airports() or len(folded) < 4:
        return []
    near = [_main_airports()[city] for city in sorted(_main_airports())
            if one_slip(folded, city, insertions=len(folded) >= 5)]
    if not near:
        return []
    own = _by_city().get(folded, [])
    return list(dict.fromkeys(own[:1] + near))


def names_an_airport(text: str) -> bool:
    """Cheap test (no suggestions computed): a code, a city with airports, or a slip for a
    main airport. The free-text reader asks it for every word pair it tries."""
    cleaned = text.strip()
    if len(cleaned) == 3 and get_airport(cleaned) is not None:
        return True
    folded = _fold(cleaned)
    return folded in _main_airports() or folded in _by_city() or bool(typo_candidates(cleaned))


def resolve_airport(text: str, *, confirmed: frozenset[str] | tuple[str, ...] = ()) -> Airport:
    """One airport for an IATA code or a city name (see the module rule).

    A slip for a main airport (typo_candidates) raises AirportTypo unless the typed
    code is among `confirmed` (the person chose it).
    """
    cleaned = text.strip()
    if cleaned.upper() not in {c.upper() for c in confirmed}:
        candidates = typo_candidates(cleaned)
        if candidates:
            raise AirportTypo(f"{text!r} may be a slip for {', '.join(candidates)}",
                              text=text, candidates=candidates)
    if len(cleaned) == 3 and (hit := get_airport(cleaned)) is not None:
        return hit
    folded = _fold(cleaned)
    if folded in _main_airports():
        return _airports()[_main_airports()[folded]]
    codes = _by_city().get(folded, [])
    if len(codes) == 1:
        return _airports()[codes[0]]
    if len(codes) > 1:
        raise AmbiguousAirport(f"{text!r} has several airports: {', '.join(codes)}",
                               text=text, candidates=sorted(codes))
    raise UnknownAirport(f"unknown airport {text!r}", text=text,
                         suggestions=close_airports(cleaned))


def close_airports(text: str, n: int = 5) -> list[str]:
    """IATA codes whose code, city or name is close to the text (difflib)."""
    folded = _fold(text)
    if len(folded) <= 3:
        typed = folded.upper()
        main_codes = set(_main_airports().values())

        def score(code: str) -> float:  # same leading letters first: LHX -> LHR
            prefix = len(typed) - len(typed.lstrip(code[:1])) if code[:1] == typed[:1] else 0
            prefix = 2 if code[:2] == typed[:2] else min(prefix, 1)
            # A city's main airport first among equals: LHX -> LHR before LHA (Lahr).
            main = 0.05 if code in main_codes else 0.0
            return difflib.SequenceMatcher(None, typed, code).ratio() + 0.1 * prefix + main

        ranked = sorted((c for c in _airports() if score(c) >= 0.6), key=score, reverse=True)
        if ranked:
            return ranked[:n]
    names: dict[str, str] = {city: _main_airports().get(city) or codes[0]
                             for city, codes in _by_city().items()}
    names.update(_main_airports())
    for code, a in _airports().items():
        names.setdefault(_fold(a.name), code)
    found = difflib.get_close_matches(folded, list(names), n=n, cutoff=0.75)
    return list(dict.fromkeys(names[f] for f in found))


def great_circle_km(a: Airport, b: Airport) -> float:
    """Haversine distance on a sphere of the mean Earth radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
