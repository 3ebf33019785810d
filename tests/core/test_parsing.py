"""What people type as an amount of CO2e, and what they are told when it cannot be read."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InputError
from core.parsing import MAX_AMOUNT_KG, parse_amount_kg


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("0.5", 500),
        ("0,5 t", 500),
        ("250 kg", 250),
        ("2 tonnes", 2000),
        ("1.5t", 1500),
        ("1500kg", 1500),
        ("1,5", 1500),
        ("  3 T ", 3000),
        ("1 500 kg", 1500),
        ("1.500,5 kg", None),
        ("2 credits", 2000),
        ("0.001 t", 1),
        ("1,250.5 t", 1_250_500),
        ("1.250,5 t", 1_250_500),
        ("12 kg CO2e", 12),
        ("4 Tonnen", 4000),
        ("100000 t", MAX_AMOUNT_KG),
    ],
)
def test_the_forms_people_type_are_read_in_kg(text, kg):
    if kg is None:
        with pytest.raises(InputError, match="amount_not_whole_kg"):
            parse_amount_kg(text)
    else:
        assert parse_amount_kg(text) == kg


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_empty"),
        ("   ", "amount_empty"),
        ("abc", "amount_not_a_number"),
        ("1.2.3", "amount_not_a_number"),
        ("0", "amount_not_positive"),
        ("0 kg", "amount_not_positive"),
        ("-2 t", "amount_not_positive"),
        ("5 lbs", "amount_unknown_unit"),
        ("100001 t", "amount_too_large"),
        ("1e9", "amount_unknown_unit"),
        ("0.0001 t", "amount_too_small"),
        ("0.5 kg", "amount_too_small"),
        ("1.5 kg", "amount_not_whole_kg"),
        ("12" * 30, "amount_not_a_number"),
    ],
)
def test_anything_else_is_refused_with_a_code(text, code):
    with pytest.raises(InputError) as raised:
        parse_amount_kg(text)
    assert raised.value.code == code


@given(st.text(max_size=30))
def test_any_text_gives_a_positive_whole_amount_or_an_input_error(text):
    try:
        kg = parse_amount_kg(text)
    except InputError as exc:
        assert exc.code.startswith("amount_")
    else:
        assert isinstance(kg, int) and 1 <= kg <= MAX_AMOUNT_KG


@given(st.integers(min_value=1, max_value=MAX_AMOUNT_KG))
def test_a_whole_number_of_kg_reads_back(kg):
    assert parse_amount_kg(f"{kg} kg") == kg
    assert parse_amount_kg(f"{kg}kg") == kg
