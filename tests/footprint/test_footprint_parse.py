"""Free text people type becomes a request."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.footprint import FootprintError, compute, parse_request

PHRASES = [
    ("LHR CDG", "flight", {"origin": "LHR", "destination": "CDG", "is_return": False}),
    ("LHR CDG return", "flight", {"origin": "LHR", "destination": "CDG", "is_return": True}),
    ("LHR to CDG and back", "flight", {"origin": "LHR", "destination": "CDG",
                                      "is_return": True}),
    ("flight london to new york business", "flight",
     {"origin": "london", "destination": "new york", "cabin": "business"}),
    ("Flug FRA nach JFK hin und zurück", "flight",
     {"origin": "FRA", "destination": "JFK", "is_return": True}),
    ("vol CDG - NCE aller-retour", "flight", {"origin": "CDG", "destination": "NCE",
                                             "is_return": True}),
    ("Paris to London premium economy", "flight",
     {"origin": "Paris", "destination": "London", "cabin": "premium_economy"}),
    ("LHR-CDG 2 passengers no rf", "flight", {"passengers": Decimal(2), "with_rf": False}),
    ("flight 5000 km", "flight_distance", {"distance_km": Decimal(5000)}),
    ("350 kWh Germany", "electricity", {"kwh": Decimal(350), "country": "Germany"}),
    ("350 kwh DE", "electricity", {"kwh": Decimal(350), "country": "DE"}),
    ("1,5 MWh France", "electricity", {"kwh": Decimal(1500), "country": "France"}),
    ("2 nights hotel France", "hotel", {"nights": Decimal(2), "country": "France"}),
    ("3 Nächte Hotel Deutschland", "hotel", {"nights": Decimal(3), "country": "Deutschland"}),
    ("2 nuits hôtel FR", "hotel", {"nights": Decimal(2), "country": "FR"}),
    ("120 km car diesel", "car", {"distance": Decimal(120), "unit": "km", "fuel": "diesel"}),
    ("50 miles petrol car", "car", {"distance": Decimal(50), "unit": "miles",
                                    "fuel": "petrol"}),
    ("rail 300 km", "rail", {"distance_km": Decimal(300)}),
    ("Zug 200 km", "rail", {"distance_km": Decimal(200)}),
    ("bus 20 km", "bus", {"distance_km": Decimal(20)}),
    ("taxi 15 km", "taxi", {"distance_km": Decimal(15)}),
    ("2 kg beef", "food", {"item": "beef", "kg": Decimal(2)}),
    ("500 g cheese", "food", {"item": "cheese", "kg": Decimal("0.5")}),
    ("parcel 5 kg 800 km", "parcel", {"weight_kg": Decimal(5), "distance_km": Decimal(800)}),
    ("parcel 2 kg 9000 km air", "parcel", {"mode": "air"}),
    ("spent 200 EUR on clothing", "spend", {"amount": Decimal(200), "currency": "EUR",
                                            "category": "clothing"}),
    ("€50 on books", "spend", {"amount": Decimal(50), "currency": "EUR",
                               "category": "books"}),
    ("100 USD restaurants", "spend", {"amount": Decimal(100), "currency": "USD",
                                      "category": "restaurants"}),
    ("40 chf clothing", "spend", {"amount": Decimal(40), "currency": "CHF",
                                  "category": "clothing"}),
    ("£30 books", "spend", {"amount": Decimal(30), "currency": "GBP", "category": "books"}),
]


@pytest.mark.parametrize(("text", "activity", "expected"), PHRASES)
def test_typed_phrases_become_requests(text, activity, expected):
    request = parse_request(text)
    assert request.activity == activity
    assert {k: request.params.get(k) for k in expected} == expected


@pytest.mark.parametrize(("text", "activity", "expected"), PHRASES)
def test_every_parsed_phrase_computes(text, activity, expected):
    assert compute(parse_request(text)).kg_co2e > 0


def test_a_parsed_return_flight_matches_the_direct_call():
    assert compute(parse_request("LHR to CDG and back")).kg_co2e == 127


@pytest.mark.parametrize("text", ["100 ABC restaurants", "100 USD"])
def test_a_number_and_three_letters_are_spending_only_with_a_known_currency_and_a_category(text):
    with pytest.raises(FootprintError) as caught:
        parse_request(text)
    assert caught.value.code == "cannot_parse"


@pytest.mark.parametrize(("text", "activity", "country"), [
    ("350 kwh de", "electricity", "DE"), ("350 kwh at", "electricity", "AT"),
    ("Strom 300 kWh at", "electricity", "AT"), ("2 nights hotel de", "hotel", "DE"),
    ("2 nuits hôtel au", "hotel", "AU"),
])
def test_a_lower_case_country_code_that_is_also_a_filler_word_ends_the_text_as_the_country(
        text, activity, country):
    request = parse_request(text)
    assert request.activity == activity and request.params["country"] == country
    assert compute(request).kg_co2e > 0


@pytest.mark.parametrize("text", ["350 kwh at home", "2 nights hotel for", "350 kwh de the"])
def test_a_filler_word_that_is_no_country_code_at_the_end_still_asks_for_the_country(text):
    with pytest.raises(FootprintError) as caught:
        parse_request(text)
    assert caught.value.code == "missing_input" and caught.value.params["missing"] == "country"


def test_text_with_no_activity_says_it_cannot_parse():
    with pytest.raises(FootprintError) as caught:
        parse_request("hello there")
    assert caught.value.code == "cannot_parse"


@pytest.mark.parametrize(("text", "missing"), [
    ("350 kWh", "country"), ("hotel France", "nights"), ("car diesel", "distance"),
    ("parcel 5 kg", "distance_km"), ("flight LHR", "destination"),
    ("spent on clothing", "amount"),
])
def test_text_missing_a_value_says_what_is_missing(text, missing):
    with pytest.raises(FootprintError) as caught:
        parse_request(text)
    assert caught.value.code == "missing_input"
    assert caught.value.params["missing"] == missing


def test_a_typed_quantity_reads_the_forms_people_type_in_base_units():
    from core.footprint import parse_quantity

    assert parse_quantity("350", "kwh") == (Decimal(350), None)
    assert parse_quantity("1,5 MWh", "kwh") == (Decimal(1500), "kWh")
    assert parse_quantity("500 g", "kg", limit="food_kg") == (Decimal("0.5"), "kg")
    assert parse_quantity("2 nights", "nights") == (Decimal(2), None)
    assert parse_quantity("75 miles", "distance", limit="car_km", keep_miles=True) == (
        Decimal(75), "miles")


@pytest.mark.parametrize(("text", "code"), [
    ("-5", "not_positive"), ("0", "not_positive"), ("abc", "not_positive"),
    ("1.2.3", "not_positive"), ("1000000000", "too_large"), ("1e9", "too_large"),
    ("5 kg", "unknown_option"),
])
def test_a_typed_quantity_that_is_not_a_sane_number_is_refused_with_its_code(text, code):
    from core.footprint import FootprintError, parse_quantity

    with pytest.raises(FootprintError) as caught:
        parse_quantity(text, "kwh", units=("kWh",))
    assert caught.value.code == code


def test_a_negative_number_in_free_text_is_kept_negative_so_it_is_refused():
    from core.footprint import FootprintError, compute

    request = parse_request("-5 kWh DE")
    with pytest.raises(FootprintError) as caught:
        compute(request)
    assert caught.value.code == "not_positive"


def test_a_malformed_number_in_free_text_cannot_be_parsed_rather_than_crashing():
    from core.footprint import FootprintError

    with pytest.raises(FootprintError) as caught:
        parse_request("1.2.3 kwh DE")
    assert caught.value.code == "cannot_parse"


@pytest.mark.parametrize(("text", "kwh"), [
    ("1e3 kWh DE", Decimal(1000)), ("1.5E3 kWh DE", Decimal(1500)),
    ("1,5e3 kWh DE", Decimal(1500)), ("2.5e-1 MWh DE", Decimal(250)),
])
def test_a_number_in_scientific_notation_is_read_as_its_plain_value(text, kwh):
    request = parse_request(text)
    assert request.params == {"kwh": kwh, "country": "DE"}
    assert "E" not in str(request.params["kwh"])  # "1000", never "1E+3" in a reason


def test_a_billion_kwh_in_scientific_notation_is_refused_as_too_large():
    with pytest.raises(FootprintError) as caught:
        compute(parse_request("1e9 kWh Germany"))
    assert caught.value.code == "too_large"
    assert caught.value.params["value"] == "1000000000"


@pytest.mark.parametrize(("text", "leftover"), [
    ("350 kWh Germany 5", "Germany 5"), ("1e999 kWh Germany", "1e Germany"),
    ("2 nights hotel 3 France", "3 France"), ("spent 20 EUR on books 4", "books 4"),
    ("2 kg beef 7", "beef 7"),
])
def test_a_digit_left_where_a_name_belongs_is_refused_not_read_as_a_name(text, leftover):
    with pytest.raises(FootprintError) as caught:
        parse_request(text)
    assert caught.value.code == "stray_number"
    assert caught.value.params["text"] == leftover
    assert leftover in str(caught.value)


_SHAPED = st.builds(
    lambda number, unit, place: f"{number} {unit} {place}",
    st.one_of(st.integers(-10, 10**12).map(str),
              st.from_regex(r"-?\d{1,3}([.,]\d{1,3}){0,3}", fullmatch=True)),
    st.sampled_from(["kWh", "MWh", "km", "miles", "kg", "g", "t", "nights", "EUR on", "€", ""]),
    st.sampled_from(["Germany", "DE", "Atlantis", "hotel France", "LHR CDG", "flight", "beef",
                     "car diesel", "clothing", "train", "parcel 800 km", "passengers", ""]),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), _SHAPED))
def test_any_text_is_a_footprint_or_a_footprint_error_never_a_crash(text):
    try:
        compute(parse_request(text))
    except FootprintError:
        pass
