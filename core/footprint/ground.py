"""Car, rail, bus and taxi: distance x Defra 2024 "Business travel- land" factor.

Cars are per vehicle (one car, whoever is in it), by Defra's size and fuel; Defra's
per-mile factors are used as published when the distance is in miles. Battery
electric and plug-in hybrid factors include the UK grid electricity they use.
Rail and bus are per passenger.km; taxis per vehicle km (Defra "Regular taxi").
"""

from __future__ import annotations

from decimal import Decimal

from core.footprint.errors import UnknownOption
from core.footprint.factors import factor
from core.footprint.limits import checked, to_decimal
from core.footprint.result import Footprint, Line, make_footprint

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


def car(distance: object, *, unit: str = "km", fuel: str = "petrol",
        size: str = "average") -> Footprint:
    """A car journey of `distance` km or miles, by fuel and size."""
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
    return make_footprint(
        "car", {"distance": quantity, "unit": unit, "fuel": fuel, "size": size},
        [Line.of(label, quantity, f"vehicle.{'mile' if unit == 'miles' else 'km'}", f)],
        f"Car {quantity} {shown}, {_words(fuel)}, {_words(size)}")


def rail(distance_km: object, *, kind: str = "national_rail",
         passengers: object = 1) -> Footprint:
    """A rail journey per passenger: national, international, light rail/tram, underground."""
    kind = pick(kind, "kind", RAIL_KINDS, RAIL_ALIASES)
    return _passenger_km("rail", kind, distance_km, passengers, "rail_km",
                         f"Rail ({_words(kind)})")


def bus(distance_km: object, *, kind: str = "average_local_bus",
        passengers: object = 1) -> Footprint:
    """A bus or coach journey per passenger."""
    kind = pick(kind, "kind", BUS_KINDS, BUS_ALIASES)
    name = "Coach" if kind == "coach" else f"Bus ({_words(kind)})"
    return _passenger_km("bus", kind, distance_km, passengers, "bus_km", name)


def taxi(distance_km: object, *, kind: str = "regular_taxi") -> Footprint:
    """A taxi ride per vehicle km (shared or not)."""
    kind = pick(kind, "kind", TAXI_KINDS, TAXI_ALIASES)
    km = checked(distance_km, "distance_km", "taxi_km")
    f = factor("taxi", kind)
    name = "Taxi" if kind == "regular_taxi" else "Black cab"
    return make_footprint("taxi", {"distance_km": km, "kind": kind},
                          [Line.of(name, km, "vehicle.km", f)], f"{name} {km} km")


def _passenger_km(activity: str, kind: str, distance_km: object, passengers: object,
                  limit: str, name: str) -> Footprint:
    km = checked(distance_km, "distance_km", limit)
    people = checked(passengers, "passengers")
    f = factor(activity, kind)
    line = Line.of(name, km * people, "passenger.km", f)
    who = f", {people} passengers" if people != 1 else ""
    return make_footprint(activity, {"distance_km": km, "kind": kind,
                                     "passengers": int(people)},
                          [line], f"{name} {km} km{who}")
