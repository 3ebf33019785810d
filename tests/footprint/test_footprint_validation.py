"""Bad input is refused with a typed error carrying a stable code."""

import pytest

from core.footprint import (
    FootprintError,
    car,
    electricity,
    flight,
    flight_distance,
    food,
    hotel,
    resolve_country,
    spend,
)


def _error(fn, *args, **kwargs) -> FootprintError:
    with pytest.raises(FootprintError) as caught:
        fn(*args, **kwargs)
    return caught.value


def test_an_unknown_airport_code_one_slip_from_a_main_one_is_asked_about():
    error = _error(flight, "LHX", "CDG")
    assert error.code == "airport_typo"
    assert "LHR" in error.params["candidates"]


def test_a_misspelt_city_is_asked_about_with_its_airport():
    error = _error(flight, "Lodnon", "CDG")
    assert error.code == "airport_typo" and error.params["candidates"] == ["LHR"]


def test_an_unknown_code_far_from_any_main_airport_suggests_close_codes():
    error = _error(flight, "XQZ", "CDG")
    assert error.code == "unknown_airport"


def test_a_city_with_several_airports_and_no_main_one_lists_them():
    error = _error(flight, "Columbus", "JFK")
    assert error.code == "ambiguous_airport"
    assert {"CMH", "LCK"} <= set(error.params["candidates"])


def test_the_same_airport_twice_is_not_a_flight():
    assert _error(flight, "LHR", "lhr").code == "same_airport"
    assert _error(flight, "London", "LHR").code == "same_airport"


def test_a_flight_longer_than_half_the_earth_is_refused():
    error = _error(flight_distance, 50000)
    assert error.code == "too_large"
    assert error.params["maximum"] == "20040"


@pytest.mark.parametrize("value", [0, -5, "abc", "nan", "inf", None, True])
def test_zero_negative_and_junk_numbers_are_refused(value):
    assert _error(car, value).code == "not_positive"


def test_a_billion_kwh_is_refused():
    assert _error(electricity, 10**9, "DE").code == "too_large"


def test_absurd_other_quantities_are_refused():
    assert _error(hotel, 1000, "FR").code == "too_large"
    assert _error(car, 100_000, unit="miles").code == "too_large"  # 160,934 km
    assert _error(flight, "LHR", "CDG", passengers=10_000).code == "too_large"
    assert _error(spend, 10**8, "EUR", "clothing").code == "too_large"


def test_countries_accept_codes_names_and_alpha_3():
    assert resolve_country("de") == "DE"
    assert resolve_country("DEU") == "DE"
    assert resolve_country("Germany") == "DE"
    assert resolve_country("UK") == "GB"


def test_an_unknown_country_suggests_close_ones():
    error = _error(electricity, 100, "Germny")
    assert error.code == "unknown_country"
    assert "DE" in error.params["suggestions"]
    assert _error(hotel, 1, "Atlantis").code == "unknown_country"


def test_a_country_without_a_hotel_factor_is_not_guessed():
    # Defra 2024 row 7397 'Hotel stay, Argentina' is blank
    error = _error(hotel, 1, "Argentina")
    assert error.code == "country_not_covered"
    assert error.params["country"] == "AR"


def test_an_unknown_food_suggests_close_items():
    error = _error(food, "chese", 1)
    assert error.code == "unknown_food"
    assert "cheese" in error.params["suggestions"]


def test_an_unknown_spend_category_and_currency():
    error = _error(spend, 10, "EUR", "clotheing")
    assert error.code == "unknown_spend_category"
    assert "clothing" in error.params["suggestions"]
    assert _error(spend, 10, "XYZ", "clothing").code == "unknown_currency"


def test_an_unknown_cabin_lists_the_options():
    error = _error(flight, "LHR", "CDG", cabin="steerage")
    assert error.code == "unknown_option"
    assert "business" in error.params["options"]


def test_errors_are_value_errors_with_an_english_message():
    error = _error(flight, "LHR", "LHR")
    assert isinstance(error, ValueError) and "LHR" in str(error)
