"""Footprint calculator: what an activity emits, in whole kg CO2e rounded up.

Pure functions over small shipped factor tables (data/*.csv, derived from the
publishers' files by scripts/derive_emission_factors.py): no database, no Telegram.
Each activity function returns a frozen `Footprint` whose lines cite their factor
(value, unit, publisher, version, place in the source). Bad input raises a
`FootprintError` with a stable `code` and `params`. See docs/FOOTPRINT.md.
"""

from core.footprint.airports import Airport, airport_candidates, resolve_airport
from core.footprint.countries import resolve_country
from core.footprint.electricity import electricity
from core.footprint.errors import FootprintError
from core.footprint.flights import check_route, flight, flight_distance
from core.footprint.food import food
from core.footprint.freight import parcel
from core.footprint.ground import bus, car, rail, taxi
from core.footprint.parse import parse_quantity, parse_request
from core.footprint.request import FootprintRequest, compute
from core.footprint.result import Footprint, Line, round_up_kg
from core.footprint.sources import Source, sources
from core.footprint.spend import spend
from core.footprint.stays import hotel

__all__ = [
    "Airport", "Footprint", "FootprintError", "FootprintRequest", "Line", "Source",
    "airport_candidates", "bus", "check_route", "car", "compute", "electricity", "flight",
    "flight_distance", "food", "hotel", "parcel", "parse_quantity", "parse_request", "rail",
    "resolve_airport", "resolve_country", "round_up_kg", "sources", "spend", "taxi",
]
