"""The species table: every curve reproduces the yield-table points it was fitted to,
every value names its source and is checked against a text that was read (or is
listed below as not checked), and the rotation is where mean annual increment peaks."""

from __future__ import annotations

import pytest

from cccp.forest import list_species
from core.reforestation import all_species, get_species
from core.reforestation.errors import UnknownSpecies
from core.reforestation.species import CO2_PER_C

SPECIES = sorted(all_species())

# Values no readable copy of the source was found for (docs/DECISIONS.md, "Reforestation",
# says what was searched). Checking one means setting "checked": true with the line read,
# and removing it here; a new value that is not checked fails until it is listed.
UNCHECKED = {
    ("eucalyptus_grandis", "reference_density"): "South African Forestry Handbook yield table",
    ("eucalyptus_grandis", "yield_points"): "South African Forestry Handbook yield table",
    ("eucalyptus_grandis", "wood_density"): "IPCC 2006 Table 4.14, tropical species",
    ("eucalyptus_grandis", "biomass_expansion_factor"): "GPG-LULUCF Table 3A.1.10",
    ("eucalyptus_grandis", "carbon_fraction"): "IPCC 2006 Table 4.3",
    ("eucalyptus_grandis", "root_to_shoot"): "IPCC 2006 Table 4.4, subtropical humid forest",
    ("tectona_grandis", "reference_density"): "Laurie & Ram (1939)",
    ("tectona_grandis", "yield_points"): "Laurie & Ram (1939)",
    ("tectona_grandis", "wood_density"): "IPCC 2006 Table 4.14, tropical species",
    ("tectona_grandis", "biomass_expansion_factor"): "GPG-LULUCF Table 3A.1.10",
    ("tectona_grandis", "carbon_fraction"): "IPCC 2006 Table 4.3",
    ("tectona_grandis", "root_to_shoot"): "IPCC 2006 Table 4.4, tropical moist deciduous forest",
    ("picea_abies", "biomass_expansion_factor"): "GPG-LULUCF Table 3A.1.10",
    ("picea_abies", "carbon_fraction"): "IPCC 2006 Table 4.3",
    ("pinus_sylvestris", "biomass_expansion_factor"): "GPG-LULUCF Table 3A.1.10",
    ("pinus_sylvestris", "carbon_fraction"): "IPCC 2006 Table 4.3",
}


def test_at_least_four_species_from_different_climates():
    assert len({s.climate for s in all_species().values()}) >= 4


@pytest.mark.parametrize("code", SPECIES)
def test_the_curve_reproduces_the_published_points_it_was_fitted_to(code):
    species = get_species(code)
    assert len(species.yield_points) >= 5
    for point in species.yield_points:
        modelled = species.volume_m3_ha(point.age)
        allowed = max(species.tolerance_relative * point.volume_m3_ha, species.tolerance_absolute)
        assert abs(modelled - point.volume_m3_ha) <= allowed, (code, point, modelled)


@pytest.mark.parametrize("code", SPECIES)
def test_every_value_cites_publisher_table_and_page(code):
    for name, citation in get_species(code).citations.items():
        assert citation.publisher and citation.table and citation.page, (code, name)
        assert citation.checked or citation.note, (code, name)


def test_every_value_is_checked_or_listed_as_not_checked():
    unchecked = {(code, name) for code, s in all_species().items()
                 for name, c in s.citations.items() if not c.checked}
    assert unchecked == set(UNCHECKED)


@pytest.mark.parametrize("code", SPECIES)
def test_a_checked_value_quotes_what_was_read_and_where(code):
    for name, citation in get_species(code).citations.items():
        if not citation.checked or citation.publisher == "CCCP":
            continue
        assert "read" in citation.note, (code, name)  # quotes the line read
        # every text read here was a file in a repository: named with its commit, so it can be read again
        assert "github.com/" in citation.read_in and "at commit" in citation.read_in, (code, name)


@pytest.mark.parametrize("code", SPECIES)
def test_the_rotation_is_where_mean_annual_increment_peaks(code):
    species = get_species(code)
    r = species.rotation_years
    mai = [species.co2_kg_ha(t) / t for t in range(1, 151)]
    assert mai[r - 1] == max(mai)
    assert mai[r - 1] > mai[r - 2] and mai[r - 1] > mai[r]


def test_carbon_to_co2_is_44_over_12_and_factors_are_per_group():
    assert CO2_PER_C == 44 / 12
    eucalyptus, spruce = get_species("eucalyptus_grandis"), get_species("picea_abies")
    assert eucalyptus.carbon_fraction == 0.47 and spruce.carbon_fraction == 0.51
    expected = 0.43 * 1.3 * (1 + 0.24) * 0.47 * 44 / 12
    assert eucalyptus.co2_t_per_m3 == pytest.approx(expected)


def test_the_demo_species_rotates_in_under_twenty_years():
    assert get_species("eucalyptus_grandis").rotation_years < 20


def test_an_unknown_species_is_refused_with_the_known_ones():
    with pytest.raises(UnknownSpecies) as caught:
        get_species("baobab")
    assert "picea_abies" in caught.value.params["known"]


def test_the_species_listing_says_which_values_are_checked_and_where_they_were_read(capsys):
    assert list_species(None) == 0
    out = capsys.readouterr().out
    spruce = out[out.index("picea_abies"):out.index("pinus_sylvestris")]
    assert "yield_points: Nordwestdeutsche Forstliche Versuchsanstalt" in spruce and "(checked)" in spruce
    assert "read in github.com/rnuske/et.nwfva" in spruce
    assert "wood_density: IPCC" in spruce and "(checked in a transcription)" in spruce
    assert "carbon_fraction: IPCC" in spruce and "(not checked)" in spruce
    teak = out[out.index("tectona_grandis"):]
    assert teak.count("(not checked)") == sum(1 for c, _ in UNCHECKED if c == "tectona_grandis") == 6

