"""Greenhouse gases to kg CO2e with 100-year global warming potentials.

Source: IPCC, 2021: Climate Change 2021: The Physical Science Basis. Working
Group I contribution to the Sixth Assessment Report (AR6), Chapter 7,
Table 7.15 (GWP-100): CH4 fossil 29.8, CH4 non-fossil 27.0, N2O 273,
SF6 25,200; CO2 is 1 by definition.

Fossil methane (a leaking gas pipeline) weighs more than non-fossil methane
(a landfill, biogenic) because its carbon adds CO2 that was not in the air.

Arithmetic is exact (Decimal); the result is rounded DOWN to whole kg CO2e:
it sets how many credits are issued, and a registry never issues more than
was reduced.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum

from core.registry.errors import AmbiguousGas, BadQuantity, UnknownGas, UnknownUnit


class Gas(StrEnum):
    CO2 = "CO2"
    CH4_FOSSIL = "CH4_FOSSIL"
    CH4_NON_FOSSIL = "CH4_NON_FOSSIL"
    N2O = "N2O"
    SF6 = "SF6"


# IPCC AR6 WG1 Chapter 7, Table 7.15, GWP-100.
GWP_100 = {
    Gas.CO2: Decimal("1"),
    Gas.CH4_FOSSIL: Decimal("29.8"),
    Gas.CH4_NON_FOSSIL: Decimal("27.0"),
    Gas.N2O: Decimal("273"),
    Gas.SF6: Decimal("25200"),
}
GWP_SOURCE = "IPCC AR6 WG1 (2021), Chapter 7, Table 7.15, GWP-100"

KG_PER_UNIT = {"kg": Decimal(1), "t": Decimal(1000)}


def parse_gas(text: str) -> Gas:
    """`CO2`, `CH4-fossil`, `ch4 non fossil`, `N2O`, `SF6` (any case, - or _ or space)."""
    name = "_".join(str(text).upper().replace("-", " ").replace("_", " ").split())
    if name in ("CH4", "METHANE"):
        raise AmbiguousGas(gas=text, choices=[Gas.CH4_FOSSIL.value, Gas.CH4_NON_FOSSIL.value])
    name = name.replace("NONFOSSIL", "NON_FOSSIL")
    try:
        return Gas(name)
    except ValueError:
        raise UnknownGas(gas=text, choices=[g.value for g in Gas]) from None


def _quantity(quantity: object) -> Decimal:
    # Floats are refused: 0.1 t is not exactly 0.1 in binary, and credits are exact.
    if isinstance(quantity, bool) or isinstance(quantity, float):
        raise BadQuantity(quantity=quantity)
    try:
        value = Decimal(quantity) if isinstance(quantity, int | Decimal) else Decimal(str(quantity).strip())
    except InvalidOperation:
        raise BadQuantity(quantity=quantity) from None
    if not value.is_finite() or value <= 0:
        raise BadQuantity(quantity=quantity)
    return value


def to_co2e_kg(gas: Gas | str, quantity: int | Decimal | str, unit: str = "kg") -> int:
    """Whole kg CO2e for `quantity` of `gas` in `unit` ("kg" or "t"), rounded down."""
    gas = gas if isinstance(gas, Gas) else parse_gas(gas)
    if unit not in KG_PER_UNIT:
        raise UnknownUnit(unit=unit, choices=list(KG_PER_UNIT))
    kg = _quantity(quantity) * KG_PER_UNIT[unit] * GWP_100[gas]
    return int(kg.to_integral_value(rounding=ROUND_FLOOR))
