"""Car, rail, bus and taxi: distance x Defra 2024 "Business travel- land" factor.

Cars are per vehicle (one car, whoever is in it), by Defra's size and fuel; Defra's
per-mile factors are used as published when the distance is in miles. Battery
electric and plug-in hybrid factors include the UK grid electricity they use.
Rail and bus are per passenger.km; taxis per vehicle km (Defra "Regular taxi").
"""

from __future__ import annotations

from decimal import Decimal

from core.footprint import texts as tx
from core.footprint.errors import UnknownOption
from core.footprint.factors import factor
from core.footprint.limits import checked, to_decimal
from core.footprint.places import DETOUR
from core.footprint.places import distance_km as place_km
from core.footprint.result import Footprint, Line, make_footprint
from core.footprint.texts import Country, Text

KM_PER_MILE = Decimal("1.609344")
CAR_FUELS = ("petrol", "diesel", "hybrid", "plug_in_hybrid", "battery_electric")
CAR_SIZES = ("small", "medium", "large", "average")
RAIL_KINDS = ("national_rail", "international_rail", "light_rail", "underground")
BUS_KINDS = ("average_local_bus", "local_bus", "london_bus", "coach")
TAXI_KINDS = ("regular_taxi", "black_cab")
FUEL_ALIASES = {"gasoline": "petrol", "benzin": "petrol", "essence": "petrol",
                "electric": "battery_electric", "ev": "battery_electric",
                "bev": "battery_electric", "phev": "plug_in_hybrid",
                "plugin_hybrid": "plug_in_hybrid", "elektro": "battery_electric"}
RAIL_ALIASES = {"train": "national_rail", "rail": "national_rail", "national": "national_rail",
                "international": "international_rail", "eurostar": "international_rail",
                "tram": "light_rail", "light_rail_and_tram": "light_rail",
                "metro": "underground", "subway": "underground", "tube": "underground",
                "u_bahn": "underground"}
BUS_ALIASES = {"bus": "average_local_bus", "local": "average_local_bus"}
TAXI_ALIASES = {"taxi": "regular_taxi", "regular": "regular_taxi", "cab": "regular_taxi"}


def pick(value: str, field: str, options: tuple[str, ...],
         aliases: dict[str, str] | None = None) -> str:
    """A choice normalised to its key, or UnknownOption listing the options."""
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    key = (aliases or {}).get(key, key)
    if key not in options:
        raise UnknownOption(f"unknown {field} {value!r}", field=field, value=value,
                            options=list(options))
    return key


def _words(key: str) -> str:
    return key.replace("_", " ")


def between(activity: str, origin: str, destination: str) -> tuple[Decimal, dict]:
    """The estimated km of a ground trip between two named places: the great circle
    times the mode's DETOUR factor, to whole km; and what the result says about it."""
    from core.footprint.countries import resolve_place
    from core.footprint.errors import MissingInput, SamePlace

    if not origin or not destination:
        raise MissingInput("a trip between places needs both ends", activity=activity,
                           missing="distance")
    a, b = resolve_place(origin), resolve_place(destination)
    if (a.name, a.country) == (b.name, b.country):
        raise SamePlace(f"{a.name} to {a.name} has no distance", place=a.name)
    straight = Decimal(place_km(a, b)).quantize(Decimal(1))
    factor_ = Decimal(str(DETOUR[activity]))
    km = (straight * factor_).quantize(Decimal(1))
    names = {"origin": Text(tx.UNDERSTOOD_PLACE, {"name": a.name, "country": Country(a.country)}),
             "destination": Text(tx.UNDERSTOOD_PLACE, {"name": b.name,
                                                       "country": Country(b.country)})}
    extra = {
        "inputs": {"origin": a.name, "origin_country": a.country, "destination": b.name,
                   "destination_country": b.country, "straight_km": straight,
                   "detour_factor": factor_},
        "understood": (Text(tx.UNDERSTOOD_ROUTE, names),),
        "note": (f"The distance is an estimate: {straight} km in a straight line between "
                 f"{a.name} and {b.name}, times {factor_} for the detour of roads and tracks."),
        "note_text": Text(tx.NOTE_DISTANCE, {**names, "km": straight, "factor": factor_}),
    }
    return km, extra


def _with_trip(fp: Footprint, extra: dict | None) -> Footprint:
    """The footprint with the named places, the estimate's note and its inputs."""
    if not extra:
        return fp
    from dataclasses import replace

    return replace(fp, inputs={**fp.inputs, **extra["inputs"]},
                   understood=extra["understood"] + fp.understood,
                   notes=(extra["note"], *fp.notes),
                   note_texts=(extra["note_text"], *fp.note_texts))


def car(distance: object = None, *, unit: str = "km", fuel: str = "petrol",
        size: str = "average", origin: str | None = None,
        destination: str | None = None) -> Footprint:
    """A car journey of `distance` km or miles (or between two named places), by fuel
    and size."""
    extra = None
    if distance is None and (origin or destination):
        distance, extra = between("car", origin or "", destination or "")
        unit = "km"
    unit = pick(unit, "unit", ("km", "miles"), {"mi": "miles", "mile": "miles",
                                                 "kilometres": "km", "kilometers": "km"})
    fuel = pick(fuel, "fuel", CAR_FUELS, FUEL_ALIASES)
    size = pick(size, "size", CAR_SIZES)
    quantity = to_decimal(distance, "distance")
    as_km = quantity * KM_PER_MILE if unit == "miles" else quantity
    checked(as_km, "distance", "car_km")
    f = factor("car", f"{size}|{fuel}|{unit}")
    label = f"Car, {_words(size)}, {_words(fuel)}"
    shown = "miles" if unit == "miles" else "km"
    text = Text(tx.LINE_CAR, {"size": Text(tx.SIZE_NAMES[size]), "fuel": Text(tx.FUEL_NAMES[fuel])})
    return _with_trip(make_footprint(
        "car", {"distance": quantity, "unit": unit, "fuel": fuel, "size": size},
        [Line.of(label, quantity, f"vehicle.{'mile' if unit == 'miles' else 'km'}", f, text)],
        f"Car {quantity} {shown}, {_words(fuel)}, {_words(size)}"), extra)


def rail(distance_km: object = None, *, kind: str = "national_rail",
         passengers: object = 1, origin: str | None = None,
         destination: str | None = None) -> Footprint:
    """A rail journey per passenger: national, international, light rail/tram, underground."""
    kind = pick(kind, "kind", RAIL_KINDS, RAIL_ALIASES)
    extra = None
    if distance_km is None and (origin or destination):
        distance_km, extra = between("rail", origin or "", destination or "")
        if kind == "national_rail" and extra["inputs"]["origin_country"] != \
                extra["inputs"]["destination_country"]:
            kind = "international_rail"
    return _with_trip(_passenger_km("rail", kind, distance_km, passengers, "rail_km",
                                    f"Rail ({_words(kind)})",
                                    Text(tx.LINE_RAIL, {"kind": Text(tx.RAIL_NAMES[kind])})),
                      extra)


def bus(distance_km: object = None, *, kind: str = "average_local_bus",
        passengers: object = 1, origin: str | None = None,
        destination: str | None = None) -> Footprint:
    """A bus or coach journey per passenger (between two named places: a coach unless
    told otherwise)."""
    extra = None
    if distance_km is None and (origin or destination):
        distance_km, extra = between("bus", origin or "", destination or "")
        if kind == "average_local_bus":
            kind = "coach"
    kind = pick(kind, "kind", BUS_KINDS, BUS_ALIASES)
    name = "Coach" if kind == "coach" else f"Bus ({_words(kind)})"
    text = Text(tx.LINE_COACH) if kind == "coach" else Text(
        tx.LINE_BUS, {"kind": Text(tx.BUS_NAMES[kind])})
    return _with_trip(_passenger_km("bus", kind, distance_km, passengers, "bus_km", name,
                                    text), extra)


def taxi(distance_km: object = None, *, kind: str = "regular_taxi",
         origin: str | None = None, destination: str | None = None) -> Footprint:
    """A taxi ride per vehicle km (shared or not)."""
    kind = pick(kind, "kind", TAXI_KINDS, TAXI_ALIASES)
    extra = None
    if distance_km is None and (origin or destination):
        distance_km, extra = between("taxi", origin or "", destination or "")
    km = checked(distance_km, "distance_km", "taxi_km")
    f = factor("taxi", kind)
    name = "Taxi" if kind == "regular_taxi" else "Black cab"
    text = Text(tx.LINE_TAXI if kind == "regular_taxi" else tx.LINE_BLACK_CAB)
    return _with_trip(make_footprint("taxi", {"distance_km": km, "kind": kind},
                                     [Line.of(name, km, "vehicle.km", f, text)],
                                     f"{name} {km} km"), extra)


def _passenger_km(activity: str, kind: str, distance_km: object, passengers: object,
                  limit: str, name: str, text: Text | None = None) -> Footprint:
    km = checked(distance_km, "distance_km", limit)
    people = checked(passengers, "passengers")
    f = factor(activity, kind)
    line = Line.of(name, km * people, "passenger.km", f, text)
    who = f", {people} passengers" if people != 1 else ""
    return make_footprint(activity, {"distance_km": km, "kind": kind,
                                     "passengers": int(people)},
                          [line], f"{name} {km} km{who}")
