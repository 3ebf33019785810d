"""Flights checked against Defra 2024 v1.1, flat file, sheet "Factors by Category"."""

import math
from decimal import Decimal

from core.footprint import flight, flight_distance


def _haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# airportsdata: LHR 51.4706, -0.46194; CDG 49.0128, 2.55
LHR_CDG_KM = round(_haversine_km(51.4706, -0.46194, 49.0128, 2.55))


def test_lhr_cdg_is_347_km_on_the_great_circle():
    assert LHR_CDG_KM == 347


def test_lhr_cdg_one_way_economy_uses_the_short_haul_with_rf_factor():
    # row 4426 'Flights, Short-haul, to/from UK, Economy class, With RF': 0.18287 kg/passenger.km
    result = flight("LHR", "CDG", cabin="economy")
    exact = Decimal(LHR_CDG_KM) * Decimal("0.18287")  # 63.45589
    assert result.kg_co2e == math.ceil(exact) == 64
    assert result.credits == Decimal("0.064")
    assert result.lines[0].factor == Decimal("0.18287")
    assert result.lines[0].location.startswith('sheet "Factors by Category", row 4426')
    assert result.lines[0].source == "Defra"
    assert result.inputs["haul_band"] == "short_haul"


def test_lhr_cdg_return_doubles_the_distance_and_says_so():
    result = flight("LHR", "CDG", is_return=True)
    assert result.kg_co2e == math.ceil(Decimal(2 * LHR_CDG_KM) * Decimal("0.18287")) == 127
    assert result.reason == "Flight LHR–CDG return, economy"


def test_a_flight_without_rf_uses_the_without_rf_factor():
    # row 4430 'Short-haul, to/from UK, Economy class, Without RF': 0.10794
    result = flight("LHR", "CDG", with_rf=False, passengers=2)
    assert result.kg_co2e == math.ceil(Decimal(2 * LHR_CDG_KM) * Decimal("0.10794"))
    assert result.reason == "Flight LHR–CDG, economy, 2 passengers, without RF"


def test_a_return_flight_without_rf_says_so_where_the_one_with_rf_does_not():
    assert flight("LHR", "CDG", is_return=True, with_rf=False).reason == (
        "Flight LHR–CDG return, economy, without RF")
    assert flight("LHR", "CDG", is_return=True).reason == "Flight LHR–CDG return, economy"


def test_city_names_resolve_to_the_main_airports():
    assert flight("london", "paris").inputs["origin"] == "LHR"
    assert flight("london", "new york").inputs["destination"] == "JFK"


def test_long_haul_first_to_or_from_uk():
    # row 4474 'Long-haul, to/from UK, First class, With RF': 0.8004
    result = flight_distance(5000, cabin="first", to_or_from_uk=True)
    assert result.kg_co2e == 4002  # 5000 x 0.8004 = 4002.0
    assert result.inputs["haul_band"] == "long_haul"


def test_the_long_haul_band_starts_at_3700_km():
    # row 4450 'Long-haul, to/from UK, Economy class, With RF': 0.20011
    assert flight_distance(3700, to_or_from_uk=True).kg_co2e == math.ceil(
        Decimal(3700) * Decimal("0.20011"))
    # row 4426 short-haul economy with RF 0.18287
    assert flight_distance(3699, to_or_from_uk=True).kg_co2e == math.ceil(
        Decimal(3699) * Decimal("0.18287"))


def test_a_flight_between_non_uk_airports_uses_the_international_factor():
    # row 4494 'International, to/from non-UK, Economy class, Without RF': 0.07948
    result = flight("FRA", "JFK", with_rf=False)
    assert result.reason == "Flight FRA–JFK, economy, without RF"
    km = round(_haversine_km(50.0264, 8.54313, 40.639928, -73.778692))
    assert result.inputs["haul_band"] == "international"
    assert result.kg_co2e == math.ceil(Decimal(km) * Decimal("0.07948"))


def test_a_domestic_uk_flight_uses_the_average_passenger_factor():
    # row 4410 'Domestic, to/from UK, Average passenger, With RF': 0.27257 (no cabin split)
    result = flight("LHR", "EDI", cabin="business")
    assert result.inputs["haul_band"] == "domestic"
    assert result.lines[0].factor == Decimal("0.27257")
    assert "average passenger" in result.lines[0].label


def test_short_haul_premium_economy_falls_back_to_economy():
    result = flight("LHR", "CDG", cabin="premium_economy")
    assert result.lines[0].factor == Decimal("0.18287")  # row 4426, economy


def test_the_rf_note_explains_radiative_forcing():
    assert "radiative forcing" in flight("LHR", "CDG").notes[0]
