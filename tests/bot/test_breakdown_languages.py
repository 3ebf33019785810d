"""Every breakdown, note and /sources entry in German and French has no English sentence,
for every phrase of tests/footprint/phrases_<lang>.csv that gives a figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.conversations.footprint import SOURCE_ENTRY, breakdown_text
from bot.i18n import translator
from core.footprint import FootprintError, compute, parse_request, sources
from tests.flows.test_languages_flow import english_sentences

PHRASES = Path(__file__).resolve().parents[1] / "footprint"
# The sources' own names, quoted as they publish them (kept in every language).
SOURCE_NAMES = {
    "Factors by Category", "Supply Chain Emission Factors with Margins", "Defra", "Ember",
    "EPA", "USEEIO", "NAICS", "CPI-U", "BLS", "ECB", "USD", "EUR", "GBP", "CHF", "CO2e",
    "GHG emissions per kilogram (Poore & Nemecek, 2018)", "Poore & Nemecek / Our World in Data",
    "RF", "kWh", "Open Government Licence v3.0",
    "Economy", "Premium Economy", "Business", "First",  # the cabins' names in German too
}


def _footprints(language: str):
    with (PHRASES / f"phrases_{language}.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                yield row["text"], compute(parse_request(row["text"], language))
            except FootprintError:
                continue


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_breakdown_is_in_the_persons_language(language):
    t = translator(language)
    found = []
    for text, fp in _footprints(language):
        allowed = SOURCE_NAMES | {str(fp.inputs.get(k)) for k in ("origin", "destination")}
        allowed |= {line.location for line in fp.lines if "sheet" not in line.location
                    and " line " not in line.location}  # other places in a source: its words
        found += [f"{text}: {s}" for s in english_sentences([breakdown_text(t, fp)], allowed)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_sources_say_what_each_dataset_is_used_for_in_the_persons_language(language):
    t = translator(language)
    used_for = [t(s.used_for) for s in sources()]
    assert all(text != s.used_for or text in ("CC BY 4.0",) for text, s in zip(used_for, sources(), strict=True))
    assert not english_sentences(used_for, SOURCE_NAMES)
    assert t(SOURCE_ENTRY, publisher="x", dataset="y", version="z", attribution="a",
             licence="b", used_for="c") != SOURCE_ENTRY
