"""An offer's terms as people type them (core/market/terms.py): no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import InputError
from core.market import terms

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "hours"), [
    ("1 day", 24), ("7 days", 168), ("7 Tage", 168), ("7 jours", 168), ("1 Tag", 24), ("1 jour", 24), ("7d", 168),
    ("24 h", 24), ("12 Stunden", 12), ("2 weeks", 336), ("2 Wochen", 336), ("1 mois", 720), ("30 Tage", 720),
    ("until cancelled", 0), ("Bis auf Widerruf", 0), ("Jusqu’à annulation", 0),
])
def test_durations_are_read_in_three_languages(text, hours):
    assert terms.read_duration_h(text) == hours


@pytest.mark.parametrize("text", ["2 t", "yes", "900", "7", "all or nothing", ""])
def test_text_that_is_no_duration_is_left_to_the_next_reader(text):
    assert terms.read_duration_h(text) is None


def test_a_duration_of_nothing_or_more_than_a_year_is_refused():
    for text in ("0 days", "366 days", "9999 h"):
        with pytest.raises(InputError) as refused:
            terms.read_duration_h(text)
        assert refused.value.code == "duration_out_of_range"
    with pytest.raises(InputError) as refused:
        terms.parse_duration_h("soon")
    assert refused.value.code == "duration_unknown"


def test_a_duration_sets_the_expiry_and_until_cancelled_sets_none():
    assert terms.expiry_of(24, NOW) == NOW + timedelta(days=1)
    assert terms.expiry_of(terms.UNTIL_CANCELLED, NOW) is None


@pytest.mark.parametrize(("text", "choice"), [
    ("all or nothing", terms.ALL), ("Alles oder nichts", terms.ALL), ("tout ou rien", terms.ALL),
    ("any amount", terms.ANY), ("Beliebige Menge", terms.ANY), ("Toute quantité", terms.ANY),
    ("min 500 kg", 500), ("mindestens 2 t", 2_000), ("au moins 1,5 t", 1_500), ("at least 0.5 t", 500),
])
def test_minimum_fills_are_read_in_three_languages(text, choice):
    assert terms.read_min_fill(text) == choice


def test_a_bare_amount_is_a_minimum_fill_only_where_one_is_asked():
    assert terms.read_min_fill("2 t") is None
    assert terms.parse_min_fill("2 t") == 2_000


def test_a_minimum_fill_is_at_most_the_offer_and_the_whole_offer_is_all_or_nothing():
    assert terms.min_fill_kg_of(terms.ANY, 5_000) is None
    assert terms.min_fill_kg_of(terms.ALL, 5_000) == 5_000
    assert terms.min_fill_kg_of(500, 5_000) == 500
    assert terms.check_min_fill(5_000, 5_000) == terms.ALL
    with pytest.raises(InputError) as refused:
        terms.check_min_fill(6_000, 5_000)
    assert refused.value.code == "min_fill_above_amount" and refused.value.params["amount_kg"] == 5_000


def test_vintage_ranges_are_read_as_people_type_them():
    assert terms.parse_vintages("2020") == (2020, 2020)
    assert terms.parse_vintages("2018-2022") == (2018, 2022)
    assert terms.parse_vintages("2022 – 2018") == (2018, 2022)
    assert terms.parse_vintages("2018 bis 2022") == (2018, 2022)
    assert terms.parse_vintages("ab 2020") == (2020, None)
    assert terms.parse_vintages("2020+") == (2020, None)
    assert terms.parse_vintages("à partir de 2020") == (2020, None)
    assert terms.parse_vintages("until 2022") == (None, 2022)
    assert terms.parse_vintages("egal") == (None, None)
    for text, code in (("recent", "vintage_unknown"), ("1850", "vintage_out_of_range")):
        with pytest.raises(InputError) as refused:
            terms.parse_vintages(text)
        assert refused.value.code == code


def test_countries_are_read_by_code_or_name_and_any_skips():
    assert [terms.parse_country(x) for x in ("DE", "de", "Germany", "Deutschland", "Allemagne")] == ["DE"] * 5
    assert terms.parse_country("peu importe") is None
    with pytest.raises(InputError) as refused:
        terms.parse_country("Atlantis")
    assert refused.value.code == "market_unknown_country" and refused.value.params["text"] == "Atlantis"


def test_project_types_are_read_by_value_or_by_the_names_shown():
    names = {"reforestation": ["Reforestation", "Wiederaufforstung", "Reboisement"],
             "landfill_methane": ["Landfill methane", "Deponiemethan", "Méthane de décharge"]}
    assert terms.parse_project_type("landfill_methane") == "landfill_methane"
    assert terms.parse_project_type("Landfill methane") == "landfill_methane"
    assert terms.parse_project_type("Deponiemethan", names) == "landfill_methane"
    assert terms.parse_project_type("reboisement", names) == "reforestation"
    assert terms.parse_project_type("aufforstung", names) == "reforestation"  # a part of one name
    for text in ("volcanoes", "land"):
        with pytest.raises(InputError) as refused:
            terms.parse_project_type(text, names)
        assert refused.value.code == "project_type_unknown"
