"""`cccp footprint ...` through add_parser, as cccp/__main__.py will call it."""

import json

import pytest

from cccp.__main__ import main


def _run(argv: list[str]) -> int:
    return main(argv)


def test_flight_json_prints_kg_credits_inputs_and_cited_factors(capsys):
    assert _run(["footprint", "flight", "LHR", "CDG", "--cabin", "economy", "--return",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kg_co2e"] == 127 and out["credits"] == "0.127"
    assert out["inputs"]["origin"] == "LHR" and out["inputs"]["is_return"] is True
    line = out["lines"][0]
    assert line["factor"] == "0.18287" and line["source"] == "Defra"
    assert line["version"] == "2024 v1.1" and "row 4426" in line["location"]


def test_electricity_prints_a_readable_breakdown(capsys):
    assert _run(["footprint", "electricity", "350", "--country", "DE"]) == 0
    out = capsys.readouterr().out
    assert "Total: 120 kg CO2e (rounded up) = 0.120 credits" in out
    assert "Ember" in out


@pytest.mark.parametrize("argv", [
    ["car", "120", "--fuel", "diesel"], ["rail", "300"], ["bus", "20"], ["taxi", "15"],
    ["hotel", "2", "--country", "FR"], ["parcel", "5", "800"], ["food", "2", "beef"],
    ["spend", "200", "EUR", "clothing"], ["parse", "2 nights hotel France"],
    ["flight", "LHR", "JFK", "--no-rf", "--passengers", "2"],
])
def test_every_activity_subcommand_runs(argv, capsys):
    assert _run(["footprint", *argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kg_co2e"] > 0


def test_bad_input_goes_to_stderr_with_exit_code_2(capsys):
    assert _run(["footprint", "flight", "QQQX", "CDG"]) == 2
    err = capsys.readouterr().err
    assert "unknown_airport" in err
    assert _run(["footprint", "flight", "LHX", "CDG"]) == 2  # one slip from LHR: asked
    err = capsys.readouterr().err
    assert "airport_typo" in err and "LHR" in err
    assert _run(["footprint", "electricity", "1000000000", "--country", "DE"]) == 2


@pytest.mark.parametrize("argv", [
    ["parse", "0 nights hotel DE"], ["hotel", "0", "--country", "DE"],
])
def test_a_zero_is_reported_as_a_plain_number_not_a_python_repr(argv, capsys):
    assert _run(["footprint", *argv]) == 2
    err = capsys.readouterr().err
    assert "nights must be a positive number, not 0\n" in err, err


def test_a_negative_number_is_reported_plainly(capsys):
    assert _run(["footprint", "parse", "-2.5 kWh DE"]) == 2
    assert "kwh must be a positive number, not -2.5\n" in capsys.readouterr().err


def test_sources_lists_the_publishers(capsys):
    assert _run(["footprint", "sources"]) == 0
    out = capsys.readouterr().out
    assert "Defra" in out and "Open Government Licence v3.0" in out and "Ember" in out


def test_parse_asks_about_an_airport_typo_and_takes_the_confirmed_code(capsys):
    assert _run(["footprint", "parse", "LHR", "CGD", "return"]) == 2
    err = capsys.readouterr().err
    assert "CDG Paris Charles de Gaulle" in err and "CGD" in err and "--confirm" in err
    assert _run(["footprint", "parse", "LHR CGD return", "--confirm", "CGD", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inputs"]["destination"] == "CGD"
    assert _run(["footprint", "parse", "LHR CDG return"]) == 0
    out = capsys.readouterr().out
    assert "LHR London Heathrow" in out and "CDG Paris Charles de Gaulle" in out
