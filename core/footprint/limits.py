"""Sane maxima per input: anything beyond is a typing slip or a joke, and is refused.

They are generous for a person or a small firm, and far below anything that could
overflow or mislead a certificate.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from core.footprint.errors import NotPositive, TooLarge

# Half the Earth's circumference (40,075 km / 2): no great circle between two points
# is longer, so a longer one-way flight is not a flight.
MAX_FLIGHT_KM = Decimal("20040")
# A refused number of more digits than this is shown in scientific notation.
ABSURD_DIGITS = 15

MAXIMA: dict[str, tuple[Decimal, str]] = {
    "flight_km": (MAX_FLIGHT_KM, "km"),
    "passengers": (Decimal(500), "passengers"),  # a full wide-body aircraft
    "car_km": (Decimal(100_000), "km"),
    "rail_km": (Decimal(50_000), "km"),
    "bus_km": (Decimal(20_000), "km"),
    "taxi_km": (Decimal(5_000), "km"),
    "nights": (Decimal(366), "nights"),
    "rooms": (Decimal(100), "rooms"),
    "kwh": (Decimal(1_000_000), "kWh"),  # 1 GWh: a large business's year
    "parcel_kg": (Decimal(30_000), "kg"),  # a full lorry
    "parcel_km": (Decimal(40_000), "km"),
    "food_kg": (Decimal(10_000), "kg"),
    "spend_usd": (Decimal(1_000_000), "USD"),
}


def _shown(value: object) -> str:
    """A refused value as a person reads it: 0, -2.5, abc (never Decimal('0') or '0')."""
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:f}"
    return str(value).strip() or "nothing"


def to_decimal(value: object, field: str) -> Decimal:
    """A number as Decimal (from its text, never through float drift); refuse junk."""
    if isinstance(value, bool):
        raise NotPositive(f"{field} must be a positive number", field=field, value=value)
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if not isinstance(
            value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise NotPositive(f"{field} must be a positive number, not {_shown(value)}",
                          field=field, value=value) from None
    if not number.is_finite() or number <= 0:
        raise NotPositive(f"{field} must be a positive number, not {_shown(value)}",
                          field=field, value=value)
    return number


def _refused(number: Decimal) -> str:
    """A refused number as text: written out while it is of a sane size, else in
    scientific notation with three digits ("1e99 kWh" is 1E+99, not 100 digits)."""
    if number.adjusted() < ABSURD_DIGITS:
        return f"{number:f}"
    return str(Decimal(f"{number:.2E}").normalize())


def checked(value: object, field: str, limit: str | None = None) -> Decimal:
    """A positive Decimal no larger than MAXIMA[limit or field]."""
    number = to_decimal(value, field)
    maximum, unit = MAXIMA[limit or field]
    if number > maximum:
        raise TooLarge(f"{field} {_refused(number)} {unit} is more than the maximum {maximum} {unit}",
                       field=field, value=_refused(number), maximum=str(maximum), unit=unit)
    return number
