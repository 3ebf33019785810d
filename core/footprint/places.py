"""Places people name (cities): their country and coordinates.

The table data/places.csv is derived from GeoNames (CC BY 4.0; its first line says so)
by scripts/derive_places.py: cities of 100,000 people or more, with their alternate
Latin-script names (German and French spellings among them). Nothing is downloaded
at run time. A name resolves to the most populous city of that name; an exact name
beats an alternate name ("Paris" is the French capital, not Paris, Texas).
"""

from __future__ import annotations

import csv
import math
import unicodedata
from dataclasses import dataclass
from functools import cache

from core.footprint.factors import DATA_DIR

EARTH_RADIUS_KM = 6371.0088
# A trip on the ground is longer than the great circle between its ends. Estimates
# per mode (road and rail circuity factors in the range published for Europe and
# North America, e.g. Ballou et al. 2002, about 1.2 to 1.3): stated with every result.
DETOUR = {"car": 1.25, "bus": 1.25, "taxi": 1.25, "rail": 1.2}


@dataclass(frozen=True)
class Place:
    name: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    population: int


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", " ".join(str(text).lower().split()))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).replace("ß", "ss")


@cache
def _table() -> tuple[dict[str, Place], dict[str, Place]]:
    """(exact names, alternate names) -> the most populous place of that name."""
    names: dict[str, Place] = {}
    aliases: dict[str, Place] = {}
    with (DATA_DIR / "places.csv").open(newline="", encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        for r in rows:  # most populous first
            place = Place(r["name"], r["country"], float(r["lat"]), float(r["lon"]),
                          int(r["population"]))
            names.setdefault(fold(place.name), place)
            for alias in filter(None, r["aliases"].split("|")):
                aliases.setdefault(fold(alias), place)
    for alias, name in SHORT_ALIASES.items():
        aliases.setdefault(alias, names[fold(name)])
    return names, aliases


# Names of under four letters the table leaves out, in German and French.
SHORT_ALIASES = {"rom": "Rome"}


def find_place(text: str) -> Place | None:
    """The place a name means, or None."""
    key = fold(text).strip(" .,")
    if len(key) < 3:
        return None
    names, aliases = _table()
    return names.get(key) or aliases.get(key)


def main_place_names() -> dict[str, Place]:
    """Exact names of the big cities (500,000 people or more): the typo guard's list."""
    return {k: p for k, p in _table()[0].items() if p.population >= 500_000}


def distance_km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
