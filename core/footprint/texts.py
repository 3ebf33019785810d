"""What a person reads about a footprint, as messages a front end translates.

Core knows no language: a `Text` is a gettext msgid and its parameters. `render`
turns one into a sentence with the front end's own `translate` (gettext plus
str.format), `number` (locale digits) and `country` (a country code -> its name in
the person's language). A parameter may itself be a Text (rendered first), a
`Country` (rendered by `country`) or a Decimal/int (rendered by `number`).
The msgids live in core/footprint and are extracted into locales/ with the bot's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel -k N_); it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Country:
    """An ISO alpha-2 code that the front end names in the person's language."""

    code: str


@dataclass(frozen=True)
class Text:
    msgid: str
    params: dict[str, object] = field(default_factory=dict)


def english_number(value: object, digits: int = 3) -> str:
    text = f"{Decimal(str(value)):,.{digits}f}".rstrip("0").rstrip(".")
    return text


def render(text: Text | str, translate: Callable[..., str] | None = None,
           number: Callable[[object], str] | None = None,
           country: Callable[[str], str] | None = None) -> str:
    """The sentence for `text` (English with no translate given)."""
    if isinstance(text, str):
        return text
    translate = translate or (lambda msgid, **kw: msgid.format(**kw))
    number = number or english_number
    country = country or (lambda code: _english_country(code))
    params = {}
    for key, value in text.params.items():
        if isinstance(value, Text):
            params[key] = render(value, translate, number, country)
        elif isinstance(value, Country):
            params[key] = country(value.code)
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            params[key] = number(value)
        else:
            params[key] = str(value)
    return translate(text.msgid, **params)


def _english_country(code: str) -> str:
    from core.footprint.countries import country_name

    return country_name(code)


# ---- names the breakdown uses (the source's own English names stay in Line.label) ----

CABIN_NAMES = {"economy": N_("economy"), "premium_economy": N_("premium economy"),
               "business": N_("business"), "first": N_("first"),
               "average": N_("average passenger")}
BAND_NAMES = {"domestic": N_("domestic (UK)"), "short_haul": N_("short-haul, to/from UK"),
              "long_haul": N_("long-haul, to/from UK"),
              "international": N_("international, non-UK")}
FUEL_NAMES = {"petrol": N_("petrol"), "diesel": N_("diesel"), "hybrid": N_("hybrid"),
              "plug_in_hybrid": N_("plug-in hybrid"), "battery_electric": N_("battery electric")}
SIZE_NAMES = {"small": N_("small"), "medium": N_("medium"), "large": N_("large"),
              "average": N_("average size")}
RAIL_NAMES = {"national_rail": N_("national rail"), "international_rail": N_("international rail"),
              "light_rail": N_("tram or light rail"), "underground": N_("underground or metro")}
BUS_NAMES = {"average_local_bus": N_("average local bus"), "local_bus": N_("local bus"),
             "london_bus": N_("London bus")}
MODE_NAMES = {"road": N_("lorry"), "van": N_("van"), "rail": N_("freight train"),
              "sea": N_("container ship"), "air": N_("air freight")}
FOOD_NAMES = {
    "apples": N_("apples"), "bananas": N_("bananas"), "barley": N_("barley"),
    "beef_beef_herd": N_("beef (beef herd)"), "beef_dairy_herd": N_("beef (dairy herd)"),
    "beet_sugar": N_("beet sugar"), "berries_grapes": N_("berries and grapes"),
    "brassicas": N_("cabbages and other brassicas"), "cane_sugar": N_("cane sugar"),
    "cassava": N_("cassava"), "cheese": N_("cheese"), "citrus_fruit": N_("citrus fruit"),
    "coffee": N_("coffee"), "dark_chocolate": N_("dark chocolate"), "eggs": N_("eggs"),
    "fish_farmed": N_("fish (farmed)"), "groundnuts": N_("groundnuts"),
    "lamb_mutton": N_("lamb and mutton"), "maize": N_("maize"), "milk": N_("milk"),
    "nuts": N_("nuts"), "oatmeal": N_("oatmeal"), "onions_leeks": N_("onions and leeks"),
    "other_fruit": N_("other fruit"), "other_pulses": N_("other pulses"),
    "other_vegetables": N_("other vegetables"), "peas": N_("peas"), "pig_meat": N_("pork"),
    "potatoes": N_("potatoes"), "poultry_meat": N_("poultry"),
    "prawns_farmed": N_("prawns (farmed)"), "rice": N_("rice"),
    "root_vegetables": N_("root vegetables"), "soy_milk": N_("soy milk"), "tofu": N_("tofu"),
    "tomatoes": N_("tomatoes"), "wheat_rye": N_("wheat and rye"), "wine": N_("wine"),
}
CATEGORY_NAMES = {
    "clothing": N_("clothing"), "footwear": N_("shoes"), "computers": N_("computers"),
    "phones": N_("phones"), "appliances": N_("household appliances"),
    "furniture": N_("furniture"), "toys": N_("toys and games"),
    "sporting_goods": N_("sporting goods"), "books": N_("books"),
    "medicines": N_("medicines"), "cosmetics": N_("cosmetics and toiletries"),
    "restaurants": N_("restaurants"), "fast_food": N_("fast food"), "hotels": N_("hotels"),
    "air_travel": N_("air travel"), "fitness": N_("fitness"), "hairdresser": N_("hairdresser"),
}

WITH_RF = N_("with RF")
WITHOUT_RF = N_("without RF")
LINE_FLIGHT = N_("Flight {route}, {band}, {cabin}, {rf}")
LINE_FLIGHT_FALLBACK = N_("Flight {route}, {band}, {cabin} (Defra has no {wanted} factor here), {rf}")
LINE_CAR = N_("Car, {size}, {fuel}")
LINE_RAIL = N_("Rail ({kind})")
LINE_BUS = N_("Bus ({kind})")
LINE_COACH = N_("Coach")
LINE_TAXI = N_("Taxi")
LINE_BLACK_CAB = N_("Black cab")
LINE_HOTEL = N_("Hotel stay, {country}")
LINE_GENERATION = N_("Electricity {country}, generation ({publisher})")
LINE_LOSSES = N_("Electricity {country}, transmission and distribution losses ({publisher})")
LINE_LIFECYCLE = N_("Electricity {country}, lifecycle grid average (Ember {version})")
LINE_AIR_FREIGHT = N_("Air freight, {band}, {rf}")
LINE_FREIGHT = N_("Freight by {mode}")
LINE_FOOD = N_("Food: {item}")
LINE_SPEND = N_("Spending on {category} ({code})")
SHORT_HAUL = N_("short-haul")
LONG_HAUL = N_("long-haul")

BASIS_GRID = N_("Basis: generation plus transmission and distribution losses ({publisher}).")
BASIS_LIFECYCLE = N_("Basis: lifecycle grid average, {version} (Ember).")
NOTE_SPEND = N_(
    "{amount} {currency} converted at the ECB reference rate of {date} ({rate} USD per "
    "{currency}) to {usd} USD, then from {year} to {base} prices with the US CPI-U (BLS) "
    "to {usd_base} USD ({base}). USEEIO v1.3 factors describe US supply chains at "
    "purchaser price.")
NOTE_SPEND_STAND_IN = N_("{year}, the last CPI year in the table, stands in for the year of spending.")
NOTE_DISTANCE = N_(
    "The distance is an estimate: {km} km in a straight line between {origin} and "
    "{destination}, times {factor} for the detour of roads and tracks.")

UNDERSTOOD_AIRPORT = N_("{code} {name}, {country}")
UNDERSTOOD_ROUTE = N_("Understood: {origin} → {destination}")
UNDERSTOOD_PLACE = N_("{name}, {country}")
UNDERSTOOD_PLACE_FOR_COUNTRY = N_("Understood: {place} → {country}")
UNDERSTOOD_COUNTRY = N_("Understood: {country}")
