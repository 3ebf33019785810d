"""Typed errors of the footprint calculator.

Every refusal of bad input is a `FootprintError` with a stable `code` and the
`params` a front end needs to say it in the person's language (the bot translates
the code; `str(error)` is an English fallback). They subclass ValueError, so
nothing a person types ends in a bare exception.
"""

from __future__ import annotations


class FootprintError(ValueError):
    """Base: `code` names the problem, `params` carries what the message shows."""

    code = "footprint_error"

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params


class UnknownAirport(FootprintError):
    """No airport matches the text; params: text, suggestions (IATA codes)."""

    code = "unknown_airport"


class AmbiguousAirport(FootprintError):
    """A city with several airports and no main one; params: text, candidates."""

    code = "ambiguous_airport"


class AirportTypo(FootprintError):
    """A code or city one slip away from a main airport ("CGD" for CDG, "JKF" for JFK):
    asked about, never guessed; params: text, candidates (IATA codes, the typed one first
    when it exists)."""

    code = "airport_typo"


class PlaceTypo(FootprintError):
    """A place name one slip away from a big city's ("Pariss"); params: text, suggestions."""

    code = "place_typo"


class Unrelated(FootprintError):
    """Text that names an activity among words the calculator does not read ("send 100 kg
    to Alice", a greeting): nothing is guessed; params: text, words (the words not read)."""

    code = "unrelated"


class SameAirport(FootprintError):
    """From and to are the same airport; params: airport."""

    code = "same_airport"


class SamePlace(FootprintError):
    """From and to are the same place; params: place."""

    code = "same_place"


class UnknownPlace(FootprintError):
    """No place of that name in the shipped table; params: text, suggestions."""

    code = "unknown_place"


class NotPositive(FootprintError):
    """A quantity is zero, negative or not a number; params: field, value."""

    code = "not_positive"


class TooLarge(FootprintError):
    """A quantity beyond the documented sane maximum; params: field, value, maximum, unit."""

    code = "too_large"


class UnknownCountry(FootprintError):
    """No ISO 3166-1 country matches; params: text, suggestions (alpha-2)."""

    code = "unknown_country"


class CountryNotCovered(FootprintError):
    """The source has no factor for this country; params: activity, country."""

    code = "country_not_covered"


class UnknownOption(FootprintError):
    """A choice outside its list (cabin, fuel, size, mode...); params: field, value, options."""

    code = "unknown_option"


class UnknownFood(FootprintError):
    """No food item matches; params: text, suggestions."""

    code = "unknown_food"


class UnknownSpendCategory(FootprintError):
    """No spending category matches; params: text, suggestions."""

    code = "unknown_spend_category"


class UnknownCurrency(FootprintError):
    """A currency the ECB reference rates do not cover; params: text, suggestions."""

    code = "unknown_currency"


class CannotParse(FootprintError):
    """Free text with no recognisable activity; params: text."""

    code = "cannot_parse"


class StrayNumber(FootprintError):
    """A digit left where a name belongs ("350 kWh Germany 5"); params: text, activity, field."""

    code = "stray_number"


class MissingInput(FootprintError):
    """Free text names an activity but lacks a value; params: activity, missing."""

    code = "missing_input"
