"""The typo guard: a code or city one slip from a main airport is asked about, never guessed."""

import pytest

from core.footprint import FootprintError, compute, flight, parse_request
from core.footprint.airports import typo_candidates


@pytest.mark.parametrize(("typed", "asked"), [
    ("CGD", ["CGD", "CDG", "CGK", "CGN"]),  # Changde, one swap from Paris CDG
    ("JKF", ["JFK"]),                        # no such airport, one swap from JFK
    ("LHX", ["LAX", "LHR"]),                 # one substitution from two main airports
    ("Lodnon", ["LHR"]), ("Pariss", ["CDG"]),  # city names too
])
def test_a_slip_is_asked_about_with_every_airport_it_may_mean(typed, asked):
    assert typo_candidates(typed) == asked
    with pytest.raises(FootprintError) as caught:
        flight(typed, "FCO")
    assert caught.value.code == "airport_typo"
    assert caught.value.params["candidates"] == asked


@pytest.mark.parametrize("typed", ["CDG", "LHR", "JFK", "LGW", "ORY", "STN", "Paris", "London"])
def test_main_airports_and_their_cities_other_airports_are_not_asked_about(typed):
    assert typo_candidates(typed) == []


def test_free_text_asks_and_a_confirmed_code_is_taken_as_typed():
    with pytest.raises(FootprintError) as caught:
        compute(parse_request("LHR CGD return"))
    assert caught.value.code == "airport_typo"
    with pytest.raises(FootprintError) as caught:
        compute(parse_request("JKF LHR"))
    assert caught.value.params["candidates"] == ["JFK"]
    fp = compute(parse_request("CDG LHR"))  # both main airports: not asked
    assert (fp.inputs["origin"], fp.inputs["destination"]) == ("CDG", "LHR")
    changde = flight("LHR", "CGD", confirmed="CGD")
    assert changde.inputs["destination"] == "CGD" and changde.inputs["distance_km"] > 8000


def test_the_result_names_the_airports_it_understood():
    from core.footprint.texts import render

    fp = compute(parse_request("LHR CDG return"))
    assert [render(u) for u in fp.understood] == [
        "Understood: LHR London Heathrow, United Kingdom → "
        "CDG Paris Charles de Gaulle, France"]
