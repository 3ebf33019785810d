"""Hotel nights: rooms x nights x Defra 2024 "Hotel stay" factor for the country.

Defra publishes a room-night factor for 53 countries (some rows are blank); a
country without one is refused with CountryNotCovered rather than guessed.
"""

from __future__ import annotations

from core.footprint import texts as tx
from core.footprint.countries import country_name, country_of, place_understood
from core.footprint.errors import CountryNotCovered
from core.footprint.factors import factor, keys
from core.footprint.limits import checked
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Country, Text


def hotel_countries() -> list[str]:
    """ISO alpha-2 codes that have a Defra hotel factor."""
    return sorted(keys("hotel"))


def hotel(nights: object, country: str, *, rooms: object = 1) -> Footprint:
    """Hotel stay: nights in a country (ISO code or name), per room."""
    code, place = country_of(country)
    f = factor("hotel", code)
    if f is None:
        raise CountryNotCovered(f"no Defra hotel factor for {code}", activity="hotel",
                                country=code, covered=hotel_countries())
    n = checked(nights, "nights")
    r = checked(rooms, "rooms")
    name = country_name(code)
    plural = "night" if n == 1 else "nights"
    line = Line.of(f"Hotel stay, {name}", n * r, "room.night", f,
                   Text(tx.LINE_HOTEL, {"country": Country(code)}))
    room_text = f", {r} rooms" if r != 1 else ""
    inputs = {"nights": n, "country": code, "rooms": int(r)}
    if place is not None:
        inputs["place"] = place.name
    return make_footprint("hotel", inputs, [line],
                          f"Hotel {n} {plural} in {name}{room_text}",
                          understood=place_understood(code, place))
