"""Flights: great-circle distance x Defra 2024 passenger.km factor, per passenger and leg.

- Distance: haversine between the airports, rounded to whole km. Defra's flight
  factors already include the 8% uplift for routes longer than the great circle
  (data README; Defra methodology), so the plain great-circle distance is used.
- Haul bands (Defra): both airports in the UK -> domestic; one end in the UK ->
  short-haul under 3,700 km, long-haul from 3,700 km; neither end in the UK ->
  "international, to/from non-UK".
- Cabins: Defra gives domestic flights only an average-passenger factor, and short-haul
  flights no premium-economy or first factor; those use the nearest published one
  (domestic: average passenger; short-haul premium economy: economy; short-haul
  first: business), and the line says so.
- Radiative forcing: included by default (Defra "With RF"), see RF_NOTE.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.footprint import texts as tx
from core.footprint.airports import Airport, great_circle_km, resolve_airport
from core.footprint.errors import SameAirport, UnknownOption
from core.footprint.factors import factor
from core.footprint.limits import checked
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Country, Text

LONG_HAUL_FROM_KM = Decimal(3700)
CABINS = ("economy", "premium_economy", "business", "first")
CABIN_NAMES = {"economy": "economy", "premium_economy": "premium economy",
               "business": "business", "first": "first", "average": "average passenger"}
BAND_NAMES = {"domestic": "domestic (UK)", "short_haul": "short-haul, to/from UK",
              "long_haul": "long-haul, to/from UK",
              "international": "international, non-UK"}
# Published fallbacks where Defra has no factor for a band and cabin.
CABIN_FALLBACK = {
    ("domestic", "economy"): "average", ("domestic", "premium_economy"): "average",
    ("domestic", "business"): "average", ("domestic", "first"): "average",
    ("short_haul", "premium_economy"): "economy", ("short_haul", "first"): "business",
}
RF_NOTE = ("Includes radiative forcing (Defra 'with RF', about 1.7x the CO2e of burning the "
           "fuel): contrails and nitrogen oxides at altitude warm the climate beyond CO2.")
NO_RF_NOTE = "Excludes radiative forcing (Defra 'without RF'): fuel-burn emissions only."


def haul_band(distance_km: Decimal, origin_country: str | None,
              destination_country: str | None) -> str:
    """Defra's band for a leg: domestic, short_haul, long_haul or international."""
    uk_ends = [origin_country == "GB", destination_country == "GB"]
    if all(uk_ends):
        return "domestic"
    if any(uk_ends):
        return "short_haul" if distance_km < LONG_HAUL_FROM_KM else "long_haul"
    return "international"


def normalize_cabin(cabin: str) -> str:
    key = cabin.strip().lower().replace("-", "_").replace(" ", "_")
    key = {"eco": "economy", "premium": "premium_economy", "first_class": "first",
           "business_class": "business", "economy_class": "economy"}.get(key, key)
    if key not in CABINS:
        raise UnknownOption(f"unknown cabin {cabin!r}", field="cabin", value=cabin,
                            options=list(CABINS))
    return key


def flight(origin: str, destination: str, *, cabin: str = "economy",
           is_return: bool = False, passengers: int = 1,
           with_rf: bool = True, confirmed: str = "") -> Footprint:
    """A flight between two airports (IATA code or city), one way or return.

    `confirmed`: comma-separated codes the person chose although they look like a slip
    for a main airport (see airports.typo_candidates); any other such code raises
    AirportTypo.
    """
    sure = tuple(c.strip() for c in str(confirmed).split(",") if c.strip())
    a = resolve_airport(origin, confirmed=sure)
    b = resolve_airport(destination, confirmed=sure)
    if a.iata == b.iata:
        raise SameAirport(f"{a.iata} to {a.iata} is not a flight", airport=a.iata)
    distance_km = Decimal(great_circle_km(a, b)).quantize(Decimal(1), ROUND_HALF_UP)
    return _flight(distance_km, a, b, cabin=cabin, is_return=is_return,
                   passengers=passengers, with_rf=with_rf)


def flight_distance(distance_km: object, *, cabin: str = "economy",
                    is_return: bool = False, passengers: int = 1, with_rf: bool = True,
                    to_or_from_uk: bool = False) -> Footprint:
    """A flight of a known one-way distance (no airports): non-UK unless to_or_from_uk."""
    km = checked(distance_km, "flight_km")
    return _flight(km, None, None, cabin=cabin, is_return=is_return, passengers=passengers,
                   with_rf=with_rf, band_countries=("GB", None) if to_or_from_uk else None)


def _flight(distance_km: Decimal, a: Airport | None, b: Airport | None, *, cabin: str,
            is_return: bool, passengers: object, with_rf: bool,
            band_countries: tuple[str | None, str | None] | None = None) -> Footprint:
    checked(distance_km, "flight_km")
    cabin = normalize_cabin(cabin)
    seats = checked(passengers, "passengers")
    countries = (a.country, b.country) if a and b else (band_countries or (None, None))
    band = haul_band(distance_km, *countries)
    used_cabin = CABIN_FALLBACK.get((band, cabin), cabin)
    f = factor("flight", f"{band}|{used_cabin}|{'rf' if with_rf else 'no_rf'}")
    legs = 2 if is_return else 1
    route = f"{a.iata}–{b.iata}" if a and b else f"{distance_km} km"
    label = f"Flight {route}, {BAND_NAMES[band]}, {CABIN_NAMES[cabin]}"
    if used_cabin != cabin:
        label += f" (Defra has no {CABIN_NAMES[cabin]} factor here: {CABIN_NAMES[used_cabin]})"
    label += ", with RF" if with_rf else ", without RF"
    rf = Text(tx.WITH_RF if with_rf else tx.WITHOUT_RF)
    text_params = {"route": route, "band": Text(tx.BAND_NAMES[band]),
                   "cabin": Text(tx.CABIN_NAMES[cabin]), "rf": rf}
    text = Text(tx.LINE_FLIGHT, text_params) if used_cabin == cabin else Text(
        tx.LINE_FLIGHT_FALLBACK, {**text_params, "cabin": Text(tx.CABIN_NAMES[used_cabin]),
                                  "wanted": Text(tx.CABIN_NAMES[cabin])})
    passenger_km = distance_km * seats * legs
    line = Line.of(label, passenger_km, "passenger.km", f, text)
    inputs: dict[str, object] = {
        "origin": a.iata if a else None, "destination": b.iata if b else None,
        "distance_km": distance_km, "is_return": is_return, "passengers": int(seats),
        "cabin": cabin, "with_rf": with_rf, "haul_band": band}
    people = f", {int(seats)} passengers" if seats != 1 else ""
    # Without RF the same trip is about 40% less: the reason (on the certificate) says so.
    reason = (f"Flight {route}{' return' if is_return else ''}, "
              f"{CABIN_NAMES[cabin]}{people}{'' if with_rf else ', without RF'}")
    understood = (Text(tx.UNDERSTOOD_ROUTE, {"origin": airport_text(a),
                                             "destination": airport_text(b)}),) if a and b else ()
    return make_footprint("flight", inputs, [line], reason,
                          notes=(RF_NOTE if with_rf else NO_RF_NOTE,), understood=understood,
                          note_texts=())  # the front end explains RF in its own words


def airport_text(a: Airport) -> Text:
    """"CDG Paris Charles de Gaulle Airport, France": code, name and country."""
    return Text(tx.UNDERSTOOD_AIRPORT, {"code": a.iata, "name": a.display,
                                        "country": Country(a.country)})
