from decimal import Decimal

import pytest

from core.registry import Gas, to_co2e_kg
from core.registry.errors import AmbiguousGas, BadQuantity, UnknownGas, UnknownUnit


@pytest.mark.parametrize(
    ("gas", "quantity", "unit", "kg_co2e"),
    [
        ("CH4-fossil", 1, "t", 29_800),
        ("CH4 non-fossil", 1, "t", 27_000),
        ("N2O", 1, "t", 273_000),
        ("SF6", 1, "kg", 25_200),
        ("SF6", 1, "t", 25_200_000),
        ("CO2", 1500, "kg", 1500),
        (Gas.CH4_FOSSIL, Decimal("2.5"), "kg", 74),  # 74.5 rounds down
        ("ch4_non_fossil", "0.001", "t", 27),
    ],
)
def test_gases_convert_to_kg_co2e_with_ar6_gwp100(gas, quantity, unit, kg_co2e):
    assert to_co2e_kg(gas, quantity, unit) == kg_co2e


def test_one_tonne_of_fossil_methane_is_29800_kg_co2e():
    assert to_co2e_kg(Gas.CH4_FOSSIL, 1, "t") == 29_800


def test_a_fraction_of_a_kg_co2e_is_never_issued():
    assert to_co2e_kg("CO2", "0.999", "kg") == 0


def test_methane_without_fossil_or_not_is_refused():
    with pytest.raises(AmbiguousGas):
        to_co2e_kg("CH4", 1, "t")


@pytest.mark.parametrize(
    ("gas", "quantity", "unit", "error"),
    [
        ("HFC-23", 1, "t", UnknownGas),
        ("CO2", 1, "lb", UnknownUnit),
        ("CO2", 1.5, "t", BadQuantity),
        ("CO2", -1, "t", BadQuantity),
        ("CO2", "abc", "t", BadQuantity),
        ("CO2", "NaN", "t", BadQuantity),
    ],
)
def test_unreadable_conversions_are_refused_with_a_code(gas, quantity, unit, error):
    with pytest.raises(error) as raised:
        to_co2e_kg(gas, quantity, unit)
    assert raised.value.code == error.code
