"""The footprint calculator in the chat: "What would you like to offset?" -> breakdown
-> Offset now (the buying flow with the amount and the reason filled in).

Two ways in, both ending in the same breakdown:
- by buttons: /footprint (or the menu) -> an activity -> one question per input
  (STEPS below: buttons for choices, typed values read by core's parsers);
- by typing, at any time no other flow waits for text: "LHR CDG return",
  "350 kWh Germany" (core.footprint.parse_request).
A city with several airports (London) is asked about with a button per airport,
the main one first; an unknown airport offers the close matches as buttons.

What was chosen so far lives in user_data["fp_draft"] (one open question at a
time, named by a short id that its buttons carry, so an old question's button
is recognised as stale). A computed footprint is kept as its request in
user_data["fp_results"] under a short id: the breakdown's buttons (Offset now,
without radiative forcing) carry only that id (Telegram allows 64 bytes), and
pressing one recomputes from the request (core is pure and deterministic).
Every FootprintError is shown as a translated sentence and nothing else happens.
The buttons are the kinds of `FP` (bot/callbacks.py): `fp:set:<question id>:<value>`
counts only while that question is open, `fp:off:<id>` and `fp:rf:<id>` only for a
kept breakdown; any other `fp:` data is answered as stale.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, auto

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import menu
from bot.callbacks import Codec, one_of, part, token, whole
from bot.conversations.buy import start_offset
from bot.feature import Command, Feature, Wiring
from bot.i18n import N_, Translator, translator
from bot.members import member
from bot.replies import answer, echo, in_rows, show
from core.footprint import (
    Footprint,
    FootprintError,
    FootprintRequest,
    airport_candidates,
    compute,
    parse_quantity,
    parse_request,
    resolve_airport,
    resolve_country,
    sources,
)
from core.footprint.airports import get_airport, typo_candidates
from core.footprint.errors import SameAirport, UnknownOption
from core.footprint.food import resolve_food
from core.footprint.result import shown_kg
from core.footprint.spend import resolve_category, usd_rate
from core.footprint.texts import Text, render
from core.i18n import LANGUAGES


class Fp(IntEnum):
    ASKING = auto()


MAX_RESULTS = 20  # breakdowns whose buttons still work; older ones answer "stale"
MAX_AIRPORT_BUTTONS = 8
ID_RE = r"[0-9a-f]{8}"

# ---- texts ---------------------------------------------------------------------------

FOOTPRINT_MENU = N_("🌍 Footprint")
ASK_ACTIVITY = N_(
    "What would you like to offset? Choose below, or just type it, for example "
    "“{flight}”, “{electricity}” or “{hotel}”."
)
ACTIVITY_LABELS = {
    "flight": N_("✈️ Flight"), "car": N_("🚗 Car"), "rail": N_("🚆 Train"), "bus": N_("🚌 Bus"),
    "taxi": N_("🚕 Taxi"), "hotel": N_("🏨 Hotel"), "electricity": N_("💡 Electricity"),
    "parcel": N_("📦 Parcel"), "food": N_("🍽 Food"), "spend": N_("🛍 Spending"),
}
# Typed examples per language: shown in hints, and each one parses.
EXAMPLES = {
    "flight": N_("LHR CDG return"), "car": N_("car 120 km diesel"), "rail": N_("train 300 km"),
    "bus": N_("bus 20 km"), "taxi": N_("taxi 15 km"), "hotel": N_("2 nights hotel France"),
    "electricity": N_("350 kWh Germany"), "parcel": N_("parcel 5 kg 800 km"),
    "food": N_("2 kg beef"), "spend": N_("spent 200 EUR on clothing"),
}
SOURCES_BUTTON = N_("📚 Sources")
CANCEL = N_("Cancel")
CANCELLED = N_("Cancelled. Nothing was calculated.")

ASK_ORIGIN = N_("Where does the flight start? Type an airport code or a city, for example LHR or London.")
ASK_DESTINATION = N_("Where does it land? Type an airport code or a city, for example CDG or Paris.")
ASK_WHICH_AIRPORT = N_("“{text}” has several airports. Which one?")
ASK_TRIP = N_("One way or return?")
ASK_CABIN = N_("Which cabin class?")
ASK_PASSENGERS = N_("How many passengers? Choose or type a number.")
ASK_CAR_DISTANCE = N_("How far did you drive? For example 120 km or 75 miles.")
ASK_FUEL = N_("What does the car run on?")
ASK_SIZE = N_("How big is the car?")
ASK_DISTANCE = N_("How far did you travel, in km? For example 300.")
ASK_RAIL_KIND = N_("What kind of train?")
ASK_BUS_KIND = N_("What kind of bus?")
ASK_TAXI_KIND = N_("What kind of taxi?")
ASK_HOTEL_COUNTRY = N_("In which country was the hotel? Choose or type the country.")
ASK_NIGHTS = N_("How many nights? For example 2.")
ASK_ELECTRICITY_COUNTRY = N_("In which country is the electricity used? Choose or type the country.")
ASK_KWH = N_("How many kWh? Your bill shows it; for example 350.")
ASK_PARCEL_WEIGHT = N_("How heavy is the parcel? For example 5 kg.")
ASK_PARCEL_DISTANCE = N_("How far does it travel, in km? For example 800.")
ASK_MODE = N_("How is it carried?")
ASK_FOOD = N_("Which food? Choose or type it, for example rice.")
ASK_FOOD_KG = N_("How much? For example 2 kg or 500 g.")
ASK_CATEGORY = N_("What did you spend the money on? Choose or type it, for example shoes.")
ASK_CURRENCY = N_("In which currency? Choose or type its code, for example CHF.")
ASK_AMOUNT = N_("How much did you spend? For example 200.")

OPTION_LABELS = {
    "0": N_("One way"), "1": N_("Return"),
    "economy": N_("Economy"), "premium_economy": N_("Premium economy"),
    "business": N_("Business"), "first": N_("First"),
    "petrol": N_("Petrol"), "diesel": N_("Diesel"), "hybrid": N_("Hybrid"),
    "plug_in_hybrid": N_("Plug-in hybrid"), "battery_electric": N_("Electric"),
    "small": N_("Small"), "medium": N_("Medium"), "large": N_("Large"),
    "average": N_("Average / not sure"),
    "national_rail": N_("National rail"), "international_rail": N_("International rail"),
    "light_rail": N_("Tram or light rail"), "underground": N_("Underground or metro"),
    "average_local_bus": N_("Local bus"), "london_bus": N_("London bus"), "coach": N_("Coach"),
    "regular_taxi": N_("Taxi"), "black_cab": N_("Black cab"),
    "road": N_("Lorry"), "van": N_("Van"), "rail": N_("Freight train"), "sea": N_("Ship"),
    "air": N_("Air freight"),
    "beef_beef_herd": N_("Beef"), "lamb_mutton": N_("Lamb"), "cheese": N_("Cheese"),
    "poultry_meat": N_("Chicken"), "pig_meat": N_("Pork"), "fish_farmed": N_("Fish (farmed)"),
    "rice": N_("Rice"), "milk": N_("Milk"), "coffee": N_("Coffee"),
    "dark_chocolate": N_("Chocolate"),
    "clothing": N_("Clothing"), "footwear": N_("Shoes"), "computers": N_("Computers"),
    "phones": N_("Phones"), "furniture": N_("Furniture"), "restaurants": N_("Restaurants"),
    "hotels": N_("Hotels"), "books": N_("Books"),
}
# The factor tables' units, as the breakdown shows them.
MEASURES = {"passenger.km": N_("passenger-km"), "vehicle.km": N_("vehicle-km"),
            "vehicle.mile": N_("vehicle-miles"), "room.night": N_("room-nights"),
            "tonne.km": N_("tonne-km"), "purchaser price": N_("purchaser price")}
PER_MEASURE = {"vehicle.mile": N_("vehicle-mile"), "room.night": N_("room-night")}  # after "/"
UNIT_LABELS = {"passengers": N_("passengers"), "nights": N_("nights"), "rooms": N_("rooms")}

REASON_FLIGHT = N_("Flight {route}, {cabin}")
REASON_FLIGHT_RETURN = N_("Flight {route} return, {cabin}")
REASON_PASSENGERS = N_("{reason}, {n} passengers")
REASON_WITHOUT_RF = N_("{reason}, without RF")
REASON_CAR = N_("Car {distance}, {fuel}, {size}")
REASON_CAR_ANY_SIZE = N_("Car {distance}, {fuel}")
REASON_RAIL = N_("Train {km} km, {kind}")
REASON_BUS = N_("Bus {km} km, {kind}")
REASON_TAXI = N_("{kind} {km} km")
REASON_HOTEL = N_("Hotel, {nights} nights, {country}")
REASON_HOTEL_ONE = N_("Hotel, 1 night, {country}")
REASON_ELECTRICITY = N_("Electricity, {kwh} kWh, {country}")
REASON_PARCEL = N_("Parcel {kg} kg over {km} km, {mode}")
REASON_FOOD = N_("Food: {kg} kg {item}")
REASON_SPEND = N_("Spending {amount} on {category}")

RESULT_LINE = N_("{quantity} {unit} × {factor} {factor_unit} = {kg} kg CO2e")
RESULT_SOURCE = N_("Source: {source} {version}, {location}")
LOCATION_SHEET_ROW = N_("sheet “{sheet}”, row {row}")
LOCATION_FILE_LINE = N_("{file} line {line}, column “{column}”")
LOCATION_COUNTRY_VALUE = N_("country “{key}”, {value}")
RESULT_TOTAL = N_("Footprint: {kg} kg CO2e")
RESULT_CREDITS = N_("To offset: {kg} kg, the footprint rounded up to the whole kg = {credits} credits (1 credit = 1 t CO2e).")
RF_EXPLAINED = N_(
    "✈️ Includes radiative forcing: contrails and nitrogen oxides high up warm the climate "
    "beyond the CO2 itself; with it, Defra counts about 1.7 times the emissions of the fuel burnt."
)
NO_RF_EXPLAINED = N_("✈️ Without radiative forcing: the CO2e of the fuel burnt only.")
OFFSET_NOW = N_("✅ Offset now")
WITHOUT_RF = N_("Without radiative forcing")
WITH_RF = N_("With radiative forcing")
ANOTHER = N_("🌍 Another footprint")
STALE = N_("This calculation is no longer available. Send /footprint to start again.")
STALE_QUESTION = N_("This question is no longer open. Send /footprint to start again.")

SOURCES_HEAD = N_("📚 Where the footprint figures come from:")
SOURCE_ENTRY = N_("{publisher}: {dataset}, {version}\n{attribution}\nLicence: {licence}. Used for: {used_for}.")

DID_YOU_MEAN = N_("Did you mean one of these?")
CAN_DO = N_(
    "I work out footprints: flights, car, train, bus and taxi trips, hotel nights, "
    "electricity, parcels, food and spending, for example “{flight}”, “{hotel}” or "
    "“{spend}”. I did not read a footprint in “{text}”.")
ASK_TYPO = N_("“{text}” looks like a typo. Which airport do you mean?")
ERRORS = {
    "unknown_airport": N_("I do not know the airport “{text}”."),
    "ambiguous_airport": N_("“{text}” has several airports: {candidates}."),
    "same_airport": N_("From and to are the same airport ({airport}). Please choose two different airports."),
    "not_positive": N_("Please give a number greater than zero."),
    "too_large": N_("{value} {unit} is more than the {maximum} {unit} I accept. Please check the number."),
    "unknown_country": N_("I do not know the country “{text}”."),
    "unknown_option": N_("“{value}” is not one of the choices: {options}."),
    "unknown_food": N_("I do not know the food “{text}”."),
    "unknown_spend_category": N_("I do not know the spending category “{text}”."),
    "unknown_currency": N_("I do not know the currency “{text}”. Please use a code such as EUR, USD or GBP."),
    "cannot_parse": N_("I could not tell what to calculate from that. Try “{example}”, or send /footprint to choose."),
    "missing_input": N_("I need {missing} as well, for example “{example}”. Or send /footprint to go step by step."),
    "stray_number": N_("I did not expect a number in “{text}”. Please check the numbers and their units."),
    "airport_typo": N_("“{text}” looks like a typo."),
    "unrelated": CAN_DO,
    "place_typo": N_("I do not know the place “{text}”."),
    "unknown_place": N_("I do not know the place “{text}”. Please give the distance in km instead, for example “{example}”."),
    "same_place": N_("From and to are the same place ({place}). Please give two different places or the distance."),
}
NOT_COVERED = {
    "hotel": N_("Defra publishes no hotel figure for {country}. Please choose a nearby country."),
    "electricity": N_("I have no grid figure for {country}. Please choose another country."),
}
MISSING = {
    "origin": N_("where from and where to"), "destination": N_("where from and where to"),
    "kwh": N_("the kWh"), "country": N_("the country"), "nights": N_("the number of nights"),
    "distance": N_("the distance"), "distance_km": N_("the distance"),
    "weight_kg": N_("the weight"), "kg": N_("the weight"), "item": N_("the food"),
    "amount": N_("the amount"), "category": N_("what the money was spent on"),
    "nights_and_country": N_("the number of nights and the country"),
}
SUGGESTIONS = N_("Did you mean: {names}?")
GENERIC = N_("That did not work. Please try again.")

# ---- the questions per activity ------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One input: where it goes in the request, how it is read, what is asked."""

    field: str
    kind: str  # airport, country, number, distance, count, choice, food, category, currency
    question: str
    choices: tuple[str, ...] = ()
    limit: str | None = None
    units: tuple[str, ...] | None = None


SHORTCUT_COUNTRIES = ("GB", "US", "DE", "FR", "ES", "IT")
STEPS: dict[str, tuple[Step, ...]] = {
    "flight": (
        Step("origin", "airport", ASK_ORIGIN),
        Step("destination", "airport", ASK_DESTINATION),
        Step("is_return", "choice", ASK_TRIP, ("0", "1")),
        Step("cabin", "choice", ASK_CABIN, ("economy", "premium_economy", "business", "first")),
        Step("passengers", "count", ASK_PASSENGERS, ("1", "2", "3", "4"), limit="passengers"),
    ),
    "car": (
        Step("distance", "distance", ASK_CAR_DISTANCE, limit="car_km"),
        Step("fuel", "choice", ASK_FUEL, ("petrol", "diesel", "hybrid", "plug_in_hybrid",
                                          "battery_electric")),
        Step("size", "choice", ASK_SIZE, ("small", "medium", "large", "average")),
    ),
    "rail": (
        Step("distance_km", "number", ASK_DISTANCE, limit="rail_km", units=("km",)),
        Step("kind", "choice", ASK_RAIL_KIND, ("national_rail", "international_rail",
                                               "light_rail", "underground")),
    ),
    "bus": (
        Step("distance_km", "number", ASK_DISTANCE, limit="bus_km", units=("km",)),
        Step("kind", "choice", ASK_BUS_KIND, ("average_local_bus", "london_bus", "coach")),
    ),
    "taxi": (
        Step("distance_km", "number", ASK_DISTANCE, limit="taxi_km", units=("km",)),
        Step("kind", "choice", ASK_TAXI_KIND, ("regular_taxi", "black_cab")),
    ),
    "hotel": (
        Step("country", "country", ASK_HOTEL_COUNTRY, SHORTCUT_COUNTRIES),
        Step("nights", "number", ASK_NIGHTS, limit="nights", units=()),
    ),
    "electricity": (
        Step("country", "country", ASK_ELECTRICITY_COUNTRY, SHORTCUT_COUNTRIES),
        Step("kwh", "number", ASK_KWH, limit="kwh", units=("kWh",)),
    ),
    "parcel": (
        Step("weight_kg", "number", ASK_PARCEL_WEIGHT, limit="parcel_kg", units=("kg",)),
        Step("distance_km", "number", ASK_PARCEL_DISTANCE, limit="parcel_km", units=("km",)),
        Step("mode", "choice", ASK_MODE, ("road", "van", "rail", "sea", "air")),
    ),
    "food": (
        Step("item", "food", ASK_FOOD, ("beef_beef_herd", "lamb_mutton", "cheese",
                                        "poultry_meat", "pig_meat", "fish_farmed", "rice",
                                        "milk", "coffee", "dark_chocolate")),
        Step("kg", "number", ASK_FOOD_KG, limit="food_kg", units=("kg",)),
    ),
    "spend": (
        Step("category", "category", ASK_CATEGORY, ("clothing", "footwear", "computers",
                                                    "phones", "furniture", "restaurants",
                                                    "hotels", "books")),
        Step("currency", "currency", ASK_CURRENCY, ("EUR", "USD", "GBP", "CHF")),
        Step("amount", "number", ASK_AMOUNT),
    ),
}


# ---- buttons (callback data) ---------------------------------------------------------

FP = Codec("fp")


@FP.kind("act")
@dataclass(frozen=True)
class ActivityPressed:
    activity: str = part(one_of(*STEPS))


@FP.kind("new")
@dataclass(frozen=True)
class AnotherPressed:
    pass


@FP.kind("set")
@dataclass(frozen=True)
class ValuePressed:
    """A choice, airport or country of the open question `question_id`."""

    question_id: str = part(token(ID_RE))
    value: str = part(token(r"[A-Za-z0-9_-]{1,40}"))


@FP.kind("off")
@dataclass(frozen=True)
class OffsetPressed:
    result_id: str = part(token(ID_RE))


@FP.kind("rf")
@dataclass(frozen=True)
class RfPressed:
    result_id: str = part(token(ID_RE))


@FP.kind("src")
@dataclass(frozen=True)
class SourcesPressed:
    pass


@FP.kind("fix")
@dataclass(frozen=True)
class FixPressed:
    """A suggestion under an error about typed text (fp_fix in user_data holds the texts)."""

    fix_id: str = part(token(ID_RE))
    index: int = part(whole(0, 3))


@FP.kind("cancel")
@dataclass(frozen=True)
class CancelPressed:
    pass


def _question_is_open(context: ContextTypes.DEFAULT_TYPE, pressed: ValuePressed) -> bool:
    draft = _draft(context)
    return draft is not None and draft["id"] == pressed.question_id and bool(draft["todo"])


def _result_is_kept(context: ContextTypes.DEFAULT_TYPE, pressed: OffsetPressed | RfPressed) -> bool:
    return _recall(context, pressed.result_id) is not None


def _step(activity: str, field: str) -> Step:
    return next(s for s in STEPS[activity] if s.field == field)


# ---- small helpers -------------------------------------------------------------------


def country_label(t: Translator, code: str) -> str:
    """The country's name in the person's language (CLDR via Babel)."""
    return Locale.parse(t.language).territories.get(code, code)


def option_label(t: Translator, value: str, *, inline: bool = False) -> str:
    """A choice's name; `inline` for inside a sentence (lower case, but German nouns keep
    their capital)."""
    label = t(OPTION_LABELS[value]) if value in OPTION_LABELS else value.replace("_", " ")
    return label.lower() if inline and t.language != "de" else label


def _choice_label(t: Translator, step: Step, value: str) -> str:
    if step.kind == "country":
        return country_label(t, value)
    if step.kind in ("currency", "count"):
        return value
    return option_label(t, value)


def _num(t: Translator, value: object, digits: int = 3) -> str:
    return t.number(Decimal(str(value)), digits)


def _cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t(CANCEL), callback_data=FP.encode(CancelPressed()))]


def _new_id() -> str:
    return secrets.token_hex(4)


def _plain(value: object) -> object:
    """A request parameter as JSON keeps it (persistence stores user_data as JSON)."""
    return value if isinstance(value, bool | int | str) or value is None else str(value)


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict | None:
    return context.user_data.get("fp_draft")


def _start_draft(context: ContextTypes.DEFAULT_TYPE, activity: str, params: dict,
                 todo: list[str]) -> dict:
    draft = {"id": _new_id(), "activity": activity,
             "params": {k: _plain(v) for k, v in params.items()}, "todo": todo}
    context.user_data["fp_draft"] = draft
    return draft


class _LooksLikeFootprint(filters.MessageFilter):
    """Free text the calculator understands (or names an activity and lacks a value)."""

    def filter(self, message) -> bool:
        try:
            parse_request(message.text or "")
        except FootprintError as error:
            return error.code != "cannot_parse"
        except Exception:  # noqa: BLE001 - a parser slip must not take the text from the fallback
            return False
        return True


LOOKS_LIKE_FOOTPRINT = _LooksLikeFootprint(name="footprint_text")

# ---- errors --------------------------------------------------------------------------


def core_text(t: Translator, text: Text) -> str:
    """A message from core (a breakdown label, a note, what was understood) in t's language."""
    return render(text, t, lambda value: _num(t, value), lambda code: country_label(t, code))


def error_text(t: Translator, error: FootprintError, activity: str | None = None, *,
               names: bool = True) -> str:
    """The person's sentence for a footprint error (see core/footprint/errors.py);
    `names`: say the suggestions in the sentence (False when they come as buttons)."""
    p = {key: echo(value) if isinstance(value, str) else value for key, value in error.params.items()}
    code = error.code
    try:
        if code == "unrelated":
            return t(CAN_DO, flight=t(EXAMPLES["flight"]), hotel=t(EXAMPLES["hotel"]),
                     spend=t(EXAMPLES["spend"]), text=p.get("text", ""))
        if code == "unknown_place":
            return t(ERRORS[code], text=p.get("text", ""),
                     example=t(EXAMPLES.get(activity or "rail", EXAMPLES["rail"])))
        if code == "country_not_covered":
            template = NOT_COVERED.get(str(p.get("activity")), NOT_COVERED["electricity"])
            return t(template, country=country_label(t, str(p.get("country"))))
        if code == "too_large":
            unit = str(p.get("unit", ""))
            unit = t(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit
            return t(ERRORS[code], value=_num(t, p["value"]), maximum=_num(t, p["maximum"]),
                     unit=unit)
        if code == "ambiguous_airport":
            return t(ERRORS[code], text=p.get("text", ""),
                     candidates=echo(", ".join(p.get("candidates", []))))
        if code == "unknown_option":
            options = ", ".join(option_label(t, str(o)) for o in p.get("options", []))
            return t(ERRORS[code], value=p.get("value", ""), options=options)
        if code == "missing_input":
            missing = MISSING.get(str(p.get("missing")), MISSING["amount"])
            example = EXAMPLES.get(str(p.get("activity")), EXAMPLES["flight"])
            return t(ERRORS[code], missing=t(missing), example=t(example))
        if code == "cannot_parse":
            return t(ERRORS[code], example=t(EXAMPLES[activity or "flight"]))
        text = t(ERRORS[code], **{k: v for k, v in p.items() if isinstance(v, str)}) \
            if code in ERRORS else t(GENERIC)
    except (KeyError, IndexError, ValueError):
        return t(GENERIC)
    names_ = _suggestion_names(t, code, p.get("suggestions") or []) if names else []
    if names_ and code not in ("unknown_airport", "airport_typo"):  # airports get buttons
        text += " " + t(SUGGESTIONS, names=", ".join(names_))
    return text


def _suggestion_names(t: Translator, code: str, suggestions: list[str]) -> list[str]:
    if code == "unknown_country":
        return [f"{country_label(t, c)} ({c})" for c in suggestions]
    if code in ("unknown_food", "unknown_spend_category"):
        return [option_label(t, s) for s in suggestions]
    return [str(s) for s in suggestions]


# ---- asking --------------------------------------------------------------------------


def activity_keyboard(t: Translator) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t(label), callback_data=FP.encode(ActivityPressed(activity)))
               for activity, label in ACTIVITY_LABELS.items()]
    sources = InlineKeyboardButton(t(SOURCES_BUTTON), callback_data=FP.encode(SourcesPressed()))
    return InlineKeyboardMarkup([*in_rows(buttons, 2), [sources]])


def activity_question(t: Translator) -> str:
    return t(ASK_ACTIVITY, flight=t(EXAMPLES["flight"]), electricity=t(EXAMPLES["electricity"]),
             hotel=t(EXAMPLES["hotel"]))


async def ask_activity(update: Update, t: Translator, intro: str | None = None) -> int:
    await show(update, "\n\n".join(filter(None, [intro, activity_question(t)])), activity_keyboard(t))
    return Fp.ASKING


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
               intro: str | None = None, suggested: list[str] | None = None) -> int:
    """Ask the draft's next question, or compute and show the breakdown when none is left."""
    draft = _draft(context)
    if not draft["todo"]:
        return await _finish(update, context, t)
    step = _step(draft["activity"], draft["todo"][0])
    if step.field in draft.get("raw", {}):  # typed in one go ("London to Paris"): read it first
        return await _take(update, context, t, draft["raw"].pop(step.field), pressed=False,
                           auto=True)
    values = list(dict.fromkeys([*(suggested or []), *step.choices]))
    buttons = [InlineKeyboardButton(_choice_label(t, step, value)[:60],
                                    callback_data=FP.encode(ValuePressed(draft["id"], value)))
               for value in values]
    width = 1 if step.kind == "choice" and len(values) > 4 else 2
    if step.kind in ("count", "currency"):
        width = 4
    markup = InlineKeyboardMarkup([*in_rows(buttons, width), _cancel_row(t)])
    await _say(update, "\n\n".join(filter(None, [intro, t(step.question)])), markup)
    return Fp.ASKING


async def _ask_airport(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                       text: str, codes: list[str], intro: str | None = None,
                       typo: bool = False) -> int:
    """A button per airport the person may mean (the main one first)."""
    draft = _draft(context)
    buttons = []
    for code in codes[:MAX_AIRPORT_BUTTONS]:
        airport = get_airport(code)
        label = f"{code} · {airport.name}" if airport else code
        if airport and airport.country:
            label += f" ({airport.country})"
        buttons.append([InlineKeyboardButton(label[:60],
                                             callback_data=FP.encode(ValuePressed(draft["id"], code)))])
    first = get_airport(codes[0]) if codes else None
    city = first.city if first and first.city else echo(text)  # "london" -> "London"
    question = intro or (t(ASK_TYPO, text=echo(text)) if typo else t(ASK_WHICH_AIRPORT, text=city))
    await _say(update, question, InlineKeyboardMarkup([*buttons, _cancel_row(t)]))
    return Fp.ASKING


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the pressed message, or answer typed text with a new one."""
    await show(update, text, markup)


def airport_options(text: str) -> list[str]:
    """The airports a typed code or city may mean: one code, or the city's airports with
    the main one first and those in its country next (London: LHR, then LGW, STN...)."""
    cleaned = text.strip()
    if slips := typo_candidates(cleaned):  # "CGD": Changde, or Paris CDG? asked, not guessed
        raise _Ambiguous(text, slips, typo=True)
    if len(cleaned) == 3 and get_airport(cleaned) is not None:
        return [cleaned.upper()]
    candidates = airport_candidates(cleaned)
    if len(candidates) <= 1:
        return [resolve_airport(cleaned).iata]  # one, the main list, or UnknownAirport
    try:
        main = resolve_airport(cleaned)
    except FootprintError:
        main = None
    home = main.country if main else None
    ranked = sorted(candidates, key=lambda a: (a.iata != (main.iata if main else None),
                                               a.country != home, a.name))
    return [a.iata for a in ranked]


# ---- reading one answer --------------------------------------------------------------


def read_value(draft: dict, step: Step, text: str, *, pressed: bool) -> dict[str, object]:
    """The request parameters one answer sets; a FootprintError when it is not usable.

    `pressed`: the value came from one of our buttons (a choice key or an IATA code).
    """
    activity, params = draft["activity"], draft["params"]
    if step.kind == "airport":
        code = text.strip().upper() if pressed else None
        if code is None:
            options = airport_options(text)
            if len(options) > 1:
                raise _Ambiguous(text, options)
            code = options[0]
        other = params.get("origin") if step.field == "destination" else params.get("destination")
        if other and other == code:
            raise SameAirport(f"{code} to {code} is not a flight", airport=code)
        if pressed and typo_candidates(code):  # chosen from the typo question: take it as is
            confirmed = [c for c in str(params.get("confirmed", "")).split(",") if c]
            return {step.field: code, "confirmed": ",".join([*confirmed, code])}
        return {step.field: code}
    if step.kind == "country":
        code = resolve_country(text)
        compute(FootprintRequest(activity, {"country": code, _quantity_field(activity): 1}))
        return {"country": code}
    if step.kind == "choice":
        return {step.field: _choice(step, text, pressed)}
    if step.kind == "food":
        return {"item": resolve_food(text)}
    if step.kind == "category":
        return {"category": resolve_category(text)}
    if step.kind == "currency":
        usd_rate(text)
        return {"currency": text.strip().upper()}
    if step.kind == "distance":
        value, unit = parse_quantity(text, "distance", limit=step.limit, keep_miles=True,
                                     units=("km", "miles"))
        if unit == "miles":
            parse_quantity(text, "distance", limit=step.limit, units=("km", "miles"))  # in km
        return {"distance": str(value), "unit": unit or "km"}
    value, _unit = parse_quantity(text, step.field, limit=step.limit, units=step.units)
    return {step.field: str(value) if step.kind == "number" else int(value)}


class _Ambiguous(Exception):
    def __init__(self, text: str, options: list[str], typo: bool = False) -> None:
        super().__init__(text)
        self.text, self.options, self.typo = text, options, typo


def _quantity_field(activity: str) -> str:
    return {"hotel": "nights", "electricity": "kwh"}[activity]


def _choice(step: Step, text: str, pressed: bool) -> object:
    value = text.strip()
    if not pressed:  # typed: a key, or a label in any language
        typed = value.lower()
        for key in step.choices:
            labels = {translator(lang)(OPTION_LABELS[key]).lower() for lang in LANGUAGES} \
                if key in OPTION_LABELS else set()
            if typed in labels or typed == key.replace("_", " ") or typed == key:
                value = key
                break
        else:
            raise UnknownOption(f"unknown {step.field} {text!r}", field=step.field, value=text,
                                options=list(step.choices))
    if value not in step.choices:
        raise UnknownOption(f"unknown {step.field} {text!r}", field=step.field, value=text,
                            options=list(step.choices))
    return value == "1" if step.field == "is_return" else value


async def _take(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator, text: str,
                *, pressed: bool, auto: bool = False) -> int:
    """One answer to the open question: store it and ask the next, or say what is wrong.

    `auto`: the value came with free text, not as an answer; an error then ends the
    draft with its sentence (nothing else happens) instead of asking again.
    """
    draft = _draft(context)
    step = _step(draft["activity"], draft["todo"][0])
    try:
        draft["params"].update({k: _plain(v) for k, v in
                                read_value(draft, step, text, pressed=pressed).items()})
    except _Ambiguous as ambiguous:
        return await _ask_airport(update, context, t, ambiguous.text, ambiguous.options,
                                  typo=ambiguous.typo)
    except FootprintError as error:
        if error.code == "unknown_airport" and error.params.get("suggestions"):
            intro = f"{error_text(t, error)} {t(DID_YOU_MEAN)}"
            return await _ask_airport(update, context, t, text, list(error.params["suggestions"]),
                                      intro=intro)
        if auto:
            context.user_data.pop("fp_draft", None)
            await _say(update, error_text(t, error, draft["activity"]))
            return ConversationHandler.END
        if not pressed and _is_whole_request(text, t.language):
            return await on_free_text(update, context)
        suggested = [str(s) for s in error.params.get("suggestions") or []
                     if step.kind in ("country", "food", "category")]
        return await _ask(update, context, t, intro=error_text(t, error, names=not suggested),
                          suggested=suggested[:4])
    draft["todo"].pop(0)
    context.user_data["fp_draft"] = draft
    return await _ask(update, context, t)


def _is_whole_request(text: str, language: str = "en") -> bool:
    """Typed text that is a complete footprint on its own ("350 kWh Germany")."""
    try:
        parse_request(text, language)
    except Exception:  # noqa: BLE001 - anything else is an answer to the question
        return False
    return True


# ---- the result ----------------------------------------------------------------------


def reason_text(t: Translator, fp: Footprint) -> str:
    """What was offset, in the person's language ("Flight LHR–CDG return, economy")."""
    i = fp.inputs
    a = fp.activity
    if a == "flight":
        route = f"{i['origin']}–{i['destination']}" if i.get("origin") else f"{_num(t, i['distance_km'])} km"
        template = REASON_FLIGHT_RETURN if i.get("is_return") else REASON_FLIGHT
        text = t(template, route=route, cabin=option_label(t, str(i["cabin"]), inline=True))
        if int(i.get("passengers", 1)) != 1:
            text = t(REASON_PASSENGERS, reason=text, n=i["passengers"])
        return text if i.get("with_rf", True) else t(REASON_WITHOUT_RF, reason=text)
    if a == "car":
        unit = "mi" if i["unit"] == "miles" else "km"
        distance, fuel = f"{_num(t, i['distance'])} {unit}", option_label(t, str(i["fuel"]), inline=True)
        if i["size"] == "average":
            return t(REASON_CAR_ANY_SIZE, distance=distance, fuel=fuel)
        return t(REASON_CAR, distance=distance, fuel=fuel, size=option_label(t, str(i["size"]), inline=True))
    if a in ("rail", "bus"):
        text = t(REASON_RAIL if a == "rail" else REASON_BUS, km=_num(t, i["distance_km"]),
                 kind=option_label(t, str(i["kind"]), inline=True))
        if int(i.get("passengers", 1)) != 1:
            text = t(REASON_PASSENGERS, reason=text, n=i["passengers"])
        return text
    if a == "taxi":
        return t(REASON_TAXI, kind=option_label(t, str(i["kind"])), km=_num(t, i["distance_km"]))
    if a == "hotel":
        country = country_label(t, str(i["country"]))
        if Decimal(str(i["nights"])) == 1:
            return t(REASON_HOTEL_ONE, country=country)
        return t(REASON_HOTEL, nights=_num(t, i["nights"]), country=country)
    if a == "electricity":
        return t(REASON_ELECTRICITY, kwh=_num(t, i["kwh"]), country=country_label(t, str(i["country"])))
    if a == "parcel":
        text = t(REASON_PARCEL, kg=_num(t, i["weight_kg"]), km=_num(t, i["distance_km"]),
                 mode=option_label(t, str(i["mode"]), inline=True))
        return text if i.get("with_rf", True) or i["mode"] != "air" else t(
            REASON_WITHOUT_RF, reason=text)
    if a == "food":
        item = str(i["item"])
        if item in OPTION_LABELS:
            name = option_label(t, item, inline=True)
        else:  # the study's own English name
            name = fp.lines[0].label.removeprefix("Food: ").lower()
        return t(REASON_FOOD, kg=_num(t, i["kg"]), item=name)
    if a == "spend":
        return t(REASON_SPEND, amount=f"{_num(t, i['amount'], 2)} {i['currency']}",
                 category=option_label(t, str(i["category"]), inline=True))
    return fp.reason


def _measure(t: Translator, unit: str) -> str:
    """"kg CO2e/passenger.km" -> "kg CO2e/Personen-km"."""
    for measure, label in PER_MEASURE.items():
        unit = unit.replace(f"/{measure}", f"/{t(label)}")
    for measure, label in MEASURES.items():
        unit = unit.replace(measure, t(label))
    return unit


def breakdown_text(t: Translator, fp: Footprint) -> str:
    """The breakdown: each line (label, quantity × factor = kg, source), total, credits."""
    parts = [f"🌍 {reason_text(t, fp)}"]
    parts.extend(f"🔎 {core_text(t, understood)}" for understood in fp.understood)
    for line in fp.lines:
        formula = t(RESULT_LINE, quantity=_num(t, line.quantity), unit=_measure(t, line.unit),
                    factor=_num(t, line.factor, 6), factor_unit=_measure(t, line.factor_unit),
                    kg=_one_decimal(t, shown_kg(line.kg_co2e)))
        source = t(RESULT_SOURCE, source=line.source, version=line.version,
                   location=_location(t, line.location))
        parts.append(f"• {core_text(t, line.shown_text)}\n   {formula}\n   {source}")
    parts.append(t(RESULT_TOTAL, kg=_one_decimal(t, fp.shown_total)))
    parts.append(t(RESULT_CREDITS, kg=t.number(fp.kg_co2e), credits=_num(t, fp.credits)))
    if "with_rf" in fp.inputs and (fp.activity == "flight" or fp.inputs.get("mode") == "air"):
        parts.append(t(RF_EXPLAINED) if fp.inputs["with_rf"] else t(NO_RF_EXPLAINED))
    parts.extend(f"ℹ️ {core_text(t, note)}" for note in fp.note_texts)
    return "\n\n".join(parts)


def _location(t: Translator, location: str) -> str:
    """Where in the source a factor is, in t's words (the source's own names quoted)."""
    import re

    if m := re.fullmatch(r'sheet "([^"]+)", row (\d+)(.*)', location, flags=re.DOTALL):
        return t(LOCATION_SHEET_ROW, sheet=m.group(1), row=m.group(2)) + m.group(3)
    if m := re.fullmatch(r'key "([^"]+)", emissions_intensity_gco2_per_kwh (.+)', location):
        return t(LOCATION_COUNTRY_VALUE, key=m.group(1), value=m.group(2))
    if m := re.fullmatch(r'(\S+) line (\d+), column "([^"]+)"', location):
        return t(LOCATION_FILE_LINE, file=m.group(1), line=m.group(2), column=m.group(3))
    return location


def _one_decimal(t: Translator, value: Decimal) -> str:
    """"23.0", "23,4": one decimal always shown, so a line and the total read alike."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.0", locale=t.language)


def result_keyboard(t: Translator, result_id: str, fp: Footprint) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(t(OFFSET_NOW), callback_data=FP.encode(OffsetPressed(result_id)))]]
    if "with_rf" in fp.inputs and (fp.activity == "flight" or fp.inputs.get("mode") == "air"):
        label = WITHOUT_RF if fp.inputs["with_rf"] else WITH_RF
        rows.append([InlineKeyboardButton(t(label), callback_data=FP.encode(RfPressed(result_id)))])
    rows.append([InlineKeyboardButton(t(SOURCES_BUTTON), callback_data=FP.encode(SourcesPressed())),
                 InlineKeyboardButton(t(ANOTHER), callback_data=FP.encode(AnotherPressed()))])
    return InlineKeyboardMarkup(rows)


def _remember(context: ContextTypes.DEFAULT_TYPE, request: FootprintRequest) -> str:
    """Keep the request under a short id for the breakdown's buttons (the newest few)."""
    results: dict = context.user_data.setdefault("fp_results", {})
    result_id = _new_id()
    results[result_id] = {"activity": request.activity,
                          "params": {k: _plain(v) for k, v in request.params.items()}}
    for old in list(results)[:-MAX_RESULTS]:
        del results[old]
    return result_id


def _recall(context: ContextTypes.DEFAULT_TYPE, result_id: str) -> FootprintRequest | None:
    stored = context.user_data.get("fp_results", {}).get(result_id)
    if stored is None:
        return None
    return FootprintRequest(stored["activity"], dict(stored["params"]))


async def show_result(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                      request: FootprintRequest, typed: str | None = None) -> int:
    """Compute and show the breakdown; a FootprintError is said and nothing else happens
    (with `typed`, the text it came from, its suggestions are buttons that fix the text)."""
    try:
        fp = compute(request)
    except FootprintError as error:
        if typed is not None:
            await _say_error(update, context, t, error, typed, request.activity)
        else:
            await _say(update, error_text(t, error, request.activity))
        return ConversationHandler.END
    result_id = _remember(context, request)
    await _say(update, breakdown_text(t, fp), result_keyboard(t, result_id, fp))
    return ConversationHandler.END


def _fixes(error: FootprintError, typed: str, t: Translator) -> list[tuple[str, str]]:
    """(button label, corrected text) per suggestion: the typed word replaced by it."""
    wrong = str(error.params.get("text", ""))
    if not wrong or wrong.lower() not in typed.lower():
        return []
    start = typed.lower().index(wrong.lower())
    fixes = []
    for suggestion in [str(s) for s in error.params.get("suggestions") or []][:4]:
        label = _suggestion_names(t, error.code, [suggestion])[0]
        fixes.append((label, typed[:start] + suggestion + typed[start + len(wrong):]))
    return fixes


async def _say_error(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                     error: FootprintError, typed: str, activity: str | None = None) -> None:
    """The error's sentence; its suggestions as buttons that read the corrected text."""
    fixes = _fixes(error, typed, t)
    if not fixes:
        await update.effective_chat.send_message(error_text(t, error, activity))
        return
    fix_id = _new_id()
    context.user_data["fp_fix"] = {"id": fix_id, "texts": [text for _, text in fixes]}
    buttons = [InlineKeyboardButton(label[:60], callback_data=FP.encode(FixPressed(fix_id, i)))
               for i, (label, _) in enumerate(fixes)]
    await update.effective_chat.send_message(
        f"{error_text(t, error, activity, names=False)} {t(DID_YOU_MEAN)}",
        reply_markup=InlineKeyboardMarkup([*in_rows(buttons, 2), _cancel_row(t)]))


async def on_fix_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                         pressed: FixPressed) -> int:
    """A suggestion button under an error: read the typed text with the suggestion in it."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    fix = context.user_data.pop("fp_fix")
    return await _read_text(update, context, t, fix["texts"][pressed.index])


def _fix_is_open(context: ContextTypes.DEFAULT_TYPE, pressed: FixPressed) -> bool:
    fix = context.user_data.get("fp_fix")
    return bool(fix) and fix["id"] == pressed.fix_id and pressed.index < len(fix["texts"])


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator) -> int:
    draft = context.user_data.pop("fp_draft")
    return await show_result(update, context, t, FootprintRequest(draft["activity"], draft["params"]))


# ---- handlers ------------------------------------------------------------------------


async def footprint_command(update: Update, context: ContextTypes.DEFAULT_TYPE,
                            pressed: object = None) -> int:
    """/footprint or the menu button: "What would you like to offset?"."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    context.user_data.pop("fp_draft", None)
    await answer(update)
    return await ask_activity(update, t)


async def on_activity_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                              pressed: ActivityPressed) -> int:
    """An activity button: its first question."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    _start_draft(context, pressed.activity, {}, [s.field for s in STEPS[pressed.activity]])
    return await _ask(update, context, t)


async def on_value_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           pressed: ValuePressed) -> int:
    """A choice, an airport or a country button of the open question."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    step = _step(_draft(context)["activity"], _draft(context)["todo"][0])
    return await _take(update, context, t, pressed.value, pressed=step.kind in ("airport", "choice"))


async def on_value_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Typed text while a question is open: the answer to it (or a whole new request)."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    if _draft(context) is None or not _draft(context)["todo"]:
        return await on_free_text(update, context)
    return await _take(update, context, t, update.effective_message.text, pressed=False)


async def on_free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"LHR CDG return", "350 kWh Germany": parse, ask which airport if needed, compute."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    return await _read_text(update, context, t, update.effective_message.text)


async def _read_text(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Translator,
                     text: str) -> int:
    context.user_data.pop("fp_draft", None)
    try:
        request = parse_request(text, t.language)
    except FootprintError as error:
        await _say_error(update, context, t, error, text)
        return ConversationHandler.END
    if request.activity != "flight":
        return await show_result(update, context, t, request, typed=text)
    params = dict(request.params)
    raw = {side: str(params.pop(side)) for side in ("origin", "destination")}
    draft = _start_draft(context, "flight", params, ["origin", "destination"])
    draft["raw"] = raw
    return await _ask(update, context, t)


async def on_rf_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: RfPressed) -> None:
    """Recompute the same footprint with radiative forcing switched."""
    user, t = await member(update, context)
    if user is None:
        return
    request = _recall(context, pressed.result_id)
    await answer(update)
    params = {**request.params, "with_rf": not request.params.get("with_rf", True)}
    await show_result(update, context, t, FootprintRequest(request.activity, params))


async def on_offset_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE,
                            pressed: OffsetPressed) -> int:
    """Offset now: the buying flow with this footprint's kg and reason filled in.

    An entry point of the buying conversation (bot/app.py hands it to buy_conversation),
    so the catalogue that start_offset shows belongs to that flow.
    """
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    request = _recall(context, pressed.result_id)
    try:
        fp = compute(request)
    except FootprintError as error:  # data changed under an old button: say so, buy nothing
        await answer(update, error_text(t, error), alert=True)
        return ConversationHandler.END
    await answer(update)
    return await start_offset(update, context, fp.kg_co2e, reason_text(t, fp))


async def show_sources(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: object = None) -> None:
    """/sources or the Sources button: every dataset with its attribution."""
    user, t = await member(update, context)
    if user is None:
        return
    await answer(update)
    entries = [t(SOURCE_ENTRY, publisher=s.publisher, dataset=s.dataset, version=t(s.version),
                 attribution=s.attribution, licence=t(s.licence), used_for=t(s.used_for))
               for s in sources()]
    await update.effective_chat.send_message("\n\n".join([t(SOURCES_HEAD), *entries]))


async def on_new_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: AnotherPressed) -> int:
    """Another footprint: the activity question in a new message (the breakdown stays)."""
    user, t = await member(update, context)
    if user is None:
        return ConversationHandler.END
    await answer(update)
    context.user_data.pop("fp_draft", None)
    await update.effective_chat.send_message(activity_question(t), reply_markup=activity_keyboard(t))
    return Fp.ASKING


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: object = None) -> int:
    """/cancel or the Cancel button while a question is open."""
    _, t = await member(update, context)
    await answer(update)
    context.user_data.pop("fp_draft", None)
    await _say(update, t(CANCELLED))
    return ConversationHandler.END


# ---- wiring (bot/app.py adds these) ---------------------------------------------------


def footprint_conversation(wiring: Wiring) -> ConversationHandler:
    restart = [
        CommandHandler("footprint", footprint_command),
        MessageHandler(filters.TEXT & menu.LabelIs(FOOTPRINT_MENU), footprint_command),
        FP.handler(ActivityPressed, on_activity_pressed),
        FP.handler(AnotherPressed, on_new_pressed),
    ]
    value_pressed = FP.handler(ValuePressed, on_value_pressed, is_open=_question_is_open,
                               stale=STALE_QUESTION)
    fix_pressed = FP.handler(FixPressed, on_fix_pressed, is_open=_fix_is_open,
                             stale=STALE_QUESTION)
    return ConversationHandler(
        entry_points=[*restart, value_pressed, fix_pressed, MessageHandler(wiring.typed_text & LOOKS_LIKE_FOOTPRINT, on_free_text)],
        states={
            Fp.ASKING: [*restart, value_pressed, fix_pressed, MessageHandler(wiring.typed_text, on_value_typed)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            FP.handler(CancelPressed, cancel),
        ],
        name="footprint",
        persistent=True,
    )


def offset_entry_points() -> list:
    """Handlers the buying conversation takes as entry points (Offset now)."""
    return [FP.handler(OffsetPressed, on_offset_pressed, is_open=_result_is_kept, stale=STALE)]


def handlers(wiring: Wiring) -> list:
    """Buttons and commands outside the conversation."""
    return [
        CommandHandler("sources", show_sources),
        FP.handler(SourcesPressed, show_sources),
        FP.handler(RfPressed, on_rf_pressed, is_open=_result_is_kept, stale=STALE),
        FP.stale_handler(STALE),  # an fp: button nobody else took (an ended question, a forged id)
    ]


async def _menu_footprint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    return await footprint_command(update, context)


FEATURE = Feature(
    name="footprint",
    conversations=[footprint_conversation],
    handlers=handlers,
    menu_items=[menu.MenuItem(FOOTPRINT_MENU, _menu_footprint, order=5)],
    commands=[
        Command("footprint", N_("Work out the footprint of a trip, a stay or a purchase"), order=50),
        Command("sources", N_("Where the footprint figures come from"), order=51),
    ],
    codecs=[FP],
    entry_points={"buy": offset_entry_points},  # "Offset now" enters the buying flow
)
