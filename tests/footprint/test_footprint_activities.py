"""Each activity against factors read by hand from the raw tables.

Defra rows: Defra 2024 v1.1 flat file, sheet "Factors by Category".
"""

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from currency_converter import CurrencyConverter

from core.footprint import (
    bus,
    car,
    electricity,
    food,
    hotel,
    parcel,
    rail,
    round_up_kg,
    sources,
    spend,
    taxi,
)


def test_rounding_goes_up_to_the_next_whole_kg():
    assert round_up_kg(Decimal("10.0001")) == 11
    assert round_up_kg(Decimal("10")) == 10


def test_car_diesel_average_per_km():
    # row 5333 'Cars (by size), Average car, Diesel', km: 0.16984
    assert car(120, fuel="diesel").kg_co2e == math.ceil(120 * Decimal("0.16984")) == 21


def test_car_petrol_in_miles_uses_defras_per_mile_factor():
    # row 5369 'Average car, Petrol', miles: 0.26473
    assert car(50, unit="miles", fuel="petrol").kg_co2e == math.ceil(
        50 * Decimal("0.26473")) == 14


def test_small_battery_electric_car():
    # row 5169 'Small car, Battery Electric Vehicle', km: 0.04284
    assert car(100, fuel="battery_electric", size="small").kg_co2e == 5  # 4.284


def test_large_plug_in_hybrid_car():
    # row 5293 'Large car, Plug-in Hybrid Electric Vehicle', km: 0.11923
    assert car(250, fuel="phev", size="large").kg_co2e == math.ceil(
        250 * Decimal("0.11923"))


def test_national_rail():
    # row 5461 'Rail, National rail', passenger.km: 0.03546
    assert rail(300).kg_co2e == math.ceil(300 * Decimal("0.03546")) == 11


def test_international_rail_and_underground():
    # row 5465 'International rail': 0.00446; row 5473 'London Underground': 0.0278
    assert rail(500, kind="international_rail").kg_co2e == 3  # 2.23
    assert rail(10, kind="underground", passengers=2).kg_co2e == 1  # 0.556
    assert rail(100, kind="tram").lines[0].factor == Decimal("0.0286")  # row 5469


def test_bus_and_coach():
    # row 5453 'Average local bus': 0.10846; row 5457 'Coach': 0.02717
    assert bus(20).kg_co2e == math.ceil(20 * Decimal("0.10846")) == 3
    assert bus(300, kind="coach").kg_co2e == math.ceil(300 * Decimal("0.02717")) == 9


def test_taxi_per_vehicle_km():
    # row 5433 'Taxis, Regular taxi', km: 0.20805; row 5441 'Black cab', km: 0.30603
    assert taxi(15).kg_co2e == math.ceil(15 * Decimal("0.20805")) == 4
    assert taxi(10, kind="black_cab").kg_co2e == 4  # 3.0603


def test_hotel_nights_by_country():
    # row 7411 'Hotel stay, France': 6.7 kg/room per night; row 7412 Germany 13.2; row 7395 UK 10.4
    assert hotel(2, "France").kg_co2e == 14  # 13.4
    assert hotel(3, "DEU").kg_co2e == 40  # 39.6
    assert hotel(1, "GB", rooms=2).kg_co2e == 21  # 20.8
    assert hotel(2, "FR").reason == "Hotel 2 nights in France"


def test_electricity_gb_is_defra_generation_plus_losses():
    # row 3066 'Electricity generated, Electricity: UK': 0.20705 kg/kWh
    # row 3627 'T&D- UK electricity': 0.0183 kg/kWh
    result = electricity(350, "GB")
    assert result.kg_co2e == math.ceil(350 * (Decimal("0.20705") + Decimal("0.0183"))) == 79
    assert [line.factor for line in result.lines] == [Decimal("0.20705"), Decimal("0.0183")]
    assert "transmission and distribution" in result.inputs["basis"]


def test_electricity_us_is_epa_egrid_with_ar6_gwps_and_grid_loss():
    # EPA hub 2025, sheet "Emission Factors Hub", Table 6 row 366 "US Average":
    # E366 CO2 771.523, F366 CH4 0.057, G366 N2O 0.008 lb/MWh; K366 grid gross loss 0.042
    lb_per_mwh = Decimal("771.523") + Decimal("0.057") * Decimal("29.8") + \
        Decimal("0.008") * 273
    generation = (lb_per_mwh / Decimal("2.20462") / 1000).quantize(Decimal("0.000001"))
    losses = (generation * Decimal("0.042") / Decimal("0.958")).quantize(Decimal("0.000001"))
    assert generation == Decimal("0.351718")
    result = electricity(350, "US")
    assert result.kg_co2e == math.ceil(350 * (generation + losses)) == 129
    assert result.lines[0].source == "EPA"


def test_electricity_elsewhere_is_ember_lifecycle_with_its_year():
    # co2js_average_intensities.json "DEU": 342.06 gCO2e/kWh, year 2024
    result = electricity(350, "Germany")
    assert result.kg_co2e == math.ceil(350 * Decimal("0.34206")) == 120
    assert result.lines[0].version == "2024" and result.lines[0].source == "Ember"
    # "FRA": 44.18 g/kWh, 2024
    assert electricity(1000, "FR").kg_co2e == 45  # 44.18


def test_parcel_by_road_rail_sea_and_air():
    # row 6389 'HGV (all diesel), All HGVs, Average laden', tonne.km: 0.09752
    assert parcel(5, 800).kg_co2e == 1  # 0.005 t x 800 km x 0.09752 = 0.39008
    # row 6841 'Rail, Freight train': 0.02779 -> 0.1 t x 500 km = 50 tkm -> 1.3895
    assert parcel(100, 500, mode="rail").kg_co2e == 2
    # row 7021 'Cargo ship, Container ship, Average': 0.01612 -> 10,000 tkm -> 161.2
    assert parcel(1000, 10000, mode="sea").kg_co2e == 162
    # row 6825 'Freight flights, Long-haul, to/from UK, With RF': 1.09904 -> 18 tkm
    assert parcel(2, 9000, mode="air").kg_co2e == math.ceil(18 * Decimal("1.09904")) == 20
    # row 6817 'Freight flights, Short-haul, With RF': 1.66816 -> 1 t x 1000 km
    assert parcel(1000, 1000, mode="air").kg_co2e == 1669  # 1668.16


def test_an_air_parcel_without_rf_says_so_in_its_reason():
    assert parcel(2, 9000, mode="air", with_rf=False).reason == (
        "Parcel 2 kg over 9000 km by air, without RF")
    assert parcel(2, 9000, mode="air").reason == "Parcel 2 kg over 9000 km by air"


def test_food_per_kg():
    # owid_poore_35605.csv, column "GHG emissions per kilogram (Poore & Nemecek, 2018)":
    # line 5 Beef (beef herd) 99.48; line 12 Cheese 23.88; line 37 Rice 4.45
    assert food("beef", 2).kg_co2e == 199  # 198.96
    assert food("cheese", "0.5").kg_co2e == 12  # 11.94
    assert food("Rice", 10).kg_co2e == 45  # 44.5
    assert food("beef", 2).lines[0].source == "Poore & Nemecek / Our World in Data"


def test_spend_in_2022_dollars_needs_no_conversion():
    # useeio_v1.3.csv line 194, NAICS 315220, "Supply Chain Emission Factors with Margins": 0.12
    assert spend(100, "USD", "clothing", year=2022).kg_co2e == 12


def test_spend_in_euros_converts_at_the_ecb_rate_and_deflates_to_2022():
    on = dt.date(2024, 1, 2)
    rate = Decimal(repr(CurrencyConverter().convert(1, "EUR", "USD", date=on))).quantize(
        Decimal("0.000001"))
    usd_2022 = (200 * rate * Decimal("292.655") / Decimal("313.689")).quantize(
        Decimal("0.01"), ROUND_HALF_UP)  # BLS CPI-U annual averages 2022 and 2024
    result = spend(200, "EUR", "clothes", year=2024, rate_date=on)
    assert result.kg_co2e == math.ceil(usd_2022 * Decimal("0.12"))
    assert "2024-01-02" in result.notes[0] and "2022" in result.notes[0]


@pytest.mark.parametrize(("year", "says"), [
    (None, "2024, the latest CPI year in the table, stands in for the year of spending."),
    (2026, "2024, the latest CPI year in the table, stands in for 2026, the year of spending."),
    (2010, "2015, the earliest CPI year in the table, stands in for 2010, the year of "
           "spending."),
])
def test_the_spend_note_says_which_cpi_year_stands_in_for_the_spending_year(year, says):
    note = spend(100, "USD", "clothing", year=year).notes[0]
    assert says in note


def test_the_spend_note_names_no_stand_in_when_the_table_has_the_spending_year():
    note = spend(100, "USD", "clothing", year=2023).notes[0]
    assert "from 2023 to 2022 prices" in note and "stands in" not in note


def test_restaurants_spend():
    # useeio_v1.3.csv NAICS 722511 Full-Service Restaurants, with margins: 0.194
    assert spend(50, "USD", "restaurants", year=2022).kg_co2e == 10  # 9.7


def test_sources_name_the_publishers_with_their_licences():
    publishers = {s.publisher for s in sources()}
    assert {"Defra", "EPA", "Ember", "Poore & Nemecek / Our World in Data"} <= publishers
    defra = next(s for s in sources() if s.publisher == "Defra")
    assert "Open Government Licence v3.0" in defra.attribution
    assert not any("github" in s.attribution.lower() for s in sources())
