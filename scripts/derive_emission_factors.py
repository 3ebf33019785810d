"""Derive the footprint calculator's small factor tables from the publishers' files.

Usage: python scripts/derive_emission_factors.py [RAW_DIR] [--out DIR]

RAW_DIR defaults to ../shared/data/emission-factors relative to the repository root
(see its README.md for each file, its publisher and licence). The script writes one CSV
per publisher into core/footprint/data/; the runtime reads only those CSVs, never the
raw workbooks. Each row keeps the publisher, the version and where in the source the
number sits (sheet and row, or column), so every footprint line can cite it.

Run it again when a publisher releases a new version; tests/footprint checks that the
shipped CSVs equal what this script produces from the raw files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import warnings
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR_IN_REPO = Path("..") / "shared" / "data" / "emission-factors"
DEFAULT_OUT_DIR = REPO_ROOT / "core" / "footprint" / "data"

COLUMNS = ["activity", "key", "label", "value", "unit", "source", "version", "location"]

# IPCC AR6 100-year GWPs (DESIGN.md "Units and numbers"): power-sector methane is fossil.
GWP_CH4_FOSSIL = Decimal("29.8")
GWP_N2O = Decimal("273")
LB_PER_KG = Decimal("2.20462")  # EPA hub README note: lb to kg, divide by 2.20462

DEFRA_SHEET = "Factors by Category"

CABINS = {
    "Average passenger": "average",
    "Economy class": "economy",
    "Premium economy class": "premium_economy",
    "Business class": "business",
    "First class": "first",
}
HAULS = {
    "Domestic, to/from UK": "domestic",
    "Short-haul, to/from UK": "short_haul",
    "Long-haul, to/from UK": "long_haul",
    "International, to/from non-UK": "international",
}
RF = {"With RF": "rf", "Without RF": "no_rf"}
CAR_SIZES = {"Small car": "small", "Medium car": "medium", "Large car": "large",
             "Average car": "average"}
CAR_FUELS = {
    "Petrol": "petrol",
    "Diesel": "diesel",
    "Hybrid": "hybrid",
    "Plug-in Hybrid Electric Vehicle": "plug_in_hybrid",
    "Battery Electric Vehicle": "battery_electric",
}
RAIL = {"National rail": "national_rail", "International rail": "international_rail",
        "Light rail and tram": "light_rail", "London Underground": "underground"}
BUS = {"Average local bus": "average_local_bus", "Local bus (not London)": "local_bus",
       "Local London bus": "london_bus", "Coach": "coach"}
TAXI = {"Regular taxi": "regular_taxi", "Black cab": "black_cab"}

# Defra's hotel table names some countries its own way; the rest pycountry finds.
HOTEL_COUNTRY_FIXES = {
    "UK": "GB",
    "Korea": "KR",
    "Hong Kong, China": "HK",
    "Macau, China": "MO",
    "Taiwan, China": "TW",
    "Vietnam": "VN",
    "Turkey": "TR",
    "Czech Republic": "CZ",
    "Russian Federation": "RU",
}

# Spend categories offered to people -> one USEEIO v1.3 NAICS industry each.
SPEND_CATEGORIES = {
    "clothing": "315220",
    "footwear": "316210",
    "computers": "334111",
    "phones": "334220",
    "appliances": "335220",
    "furniture": "337121",
    "toys": "339930",
    "sporting_goods": "339920",
    "books": "511130",
    "medicines": "325412",
    "cosmetics": "325620",
    "restaurants": "722511",
    "fast_food": "722513",
    "hotels": "721110",
    "air_travel": "481111",
    "fitness": "713940",
    "hairdresser": "812111",
}


def default_raw_dir() -> Path:
    """../shared/data/emission-factors beside the repository (or beside the main checkout
    when this is a git worktree elsewhere)."""
    candidates = [REPO_ROOT / RAW_DIR_IN_REPO]
    git_file = REPO_ROOT / ".git"
    if git_file.is_file():  # a worktree: ".git" names <main>/.git/worktrees/<name>
        common = Path(git_file.read_text().split(":", 1)[1].strip()).parent.parent
        candidates.append(common.parent / RAW_DIR_IN_REPO)
    return next((c.resolve() for c in candidates if c.is_dir()), candidates[0])


def _num(value: object) -> Decimal:
    """A spreadsheet number as the Decimal of its shortest text (no float tail)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _row(activity, key, label, value, unit, source, version, location) -> dict[str, str]:
    return dict(zip(COLUMNS, [activity, key, label, str(value), unit, source, version,
                              location], strict=True))


def derive_defra(raw_dir: Path) -> list[dict[str, str]]:
    """Flights, cars, rail, bus, taxi, hotels, UK electricity, freight from Defra 2024."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(raw_dir / "defra2024_flat_v1_1.xlsx", read_only=True)
    front = {r[1]: r[2] for r in wb["Front page"].iter_rows(values_only=True) if r[1]}
    version = f"{front.get('Year:', 2024)} v{front.get('Version:', '1.1')}"
    source = "Defra"
    rows: list[dict[str, str]] = []
    for number, r in enumerate(wb[DEFRA_SHEET].iter_rows(values_only=True), start=1):
        if len(r) < 10 or r[8] != "kg CO2e" or r[9] is None:
            continue
        ident, _scope, l1, l2, l3, l4, text, uom, _ghg, value = r[:10]
        where = f'sheet "{DEFRA_SHEET}", row {number} (ID {ident})'
        label = ", ".join(str(x) for x in (l2, l3, l4, text) if x)
        if (found := _defra_key(l1, l2, l3, l4, text, uom)) is not None:
            activity, key, unit = found
            rows.append(_row(activity, key, label, _num(value), unit, source, version, where))
    return rows


def _defra_key(l1, l2, l3, l4, text, uom) -> tuple[str, str, str] | None:
    """(activity, key, unit) for a Defra row the calculator uses, else None."""
    land = l1 == "Business travel- land"
    if l1 == "Business travel- air" and l2 == "Flights" and uom == "passenger.km":
        return "flight", f"{HAULS[l3]}|{CABINS[l4]}|{RF[text]}", "kg CO2e/passenger.km"
    if land and l2 == "Cars (by size)" and text in CAR_FUELS:
        unit = f"kg CO2e/vehicle.{'km' if uom == 'km' else 'mile'}"
        return "car", f"{CAR_SIZES[l3]}|{CAR_FUELS[text]}|{uom}", unit
    if land and l2 == "Rail" and uom == "passenger.km":
        return "rail", RAIL[l3], "kg CO2e/passenger.km"
    if land and l2 == "Bus" and uom == "passenger.km":
        return "bus", BUS[l3], "kg CO2e/passenger.km"
    if land and l2 == "Taxis" and uom == "km":
        return "taxi", TAXI[l3], "kg CO2e/vehicle.km"
    if l1 == "Hotel stay" and l3 != "UK (London)":
        return "hotel", _hotel_country(l3), "kg CO2e/room.night"
    if l1 == "UK electricity" and l3 == "Electricity: UK" and uom == "kWh":
        return "electricity", "GB|generation", "kg CO2e/kWh"
    if l1 == "Transmission and distribution" and l2 == "T&D- UK electricity" and uom == "kWh":
        return "electricity", "GB|transmission_distribution", "kg CO2e/kWh"
    if l1 == "Freighting goods" and uom == "tonne.km":
        key = _freight_key(l2, l3, l4, text)
        return ("parcel", key, "kg CO2e/tonne.km") if key else None
    return None


def _hotel_country(name: str) -> str:
    import pycountry

    return HOTEL_COUNTRY_FIXES.get(name) or pycountry.countries.lookup(name).alpha_2


def _freight_key(l2, l3, l4, text) -> str | None:
    if l2 == "HGV (all diesel)" and l3 == "All HGVs" and text == "Average laden":
        return "road"
    if l2 == "Vans" and l3 == "Average (up to 3.5 tonnes)" and text == "Diesel":
        return "van"
    if l2 == "Rail" and l3 == "Freight train":
        return "rail"
    if l2 == "Cargo ship" and l3 == "Container ship" and l4 == "Average":
        return "sea"
    if l2 == "Freight flights":
        return f"air|{HAULS[l3]}|{RF[text]}"
    return None


def derive_epa(raw_dir: Path) -> list[dict[str, str]]:
    """US average grid from the EPA hub's eGRID table, in kg CO2e per kWh.

    Generation: CO2 + CH4 x 29.8 + N2O x 273 (AR6, lb/MWh), / 2.20462 / 1000.
    Transmission and distribution: generation x loss / (1 - loss), with eGRID's
    grid gross loss, so the two lines together are per kWh consumed, like Defra's.
    """
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(raw_dir / "epa_hub_2025.xlsx")
    ws = wb["Emission Factors Hub"]
    modified = next(c.value for row in ws.iter_rows(max_row=10) for c in row
                    if isinstance(c.value, str) and c.value.startswith("Last Modified"))
    version = "Emission Factors Hub, " + modified.removeprefix("Last Modified: ") + \
        " (eGRID2023)"
    row = next(r for r in ws.iter_rows() if r[2].value == "US Average")
    cells = {c.column_letter: c for c in row}
    co2, ch4, n2o, loss = (_num(cells[x].value) for x in "EFGK")
    lb_per_mwh = co2 + ch4 * GWP_CH4_FOSSIL + n2o * GWP_N2O
    generation = (lb_per_mwh / LB_PER_KG / 1000).quantize(Decimal("0.000001"))
    td = (generation * loss / (1 - loss)).quantize(Decimal("0.000001"))
    n = row[0].row
    where = (f'sheet "Emission Factors Hub", Table 6, row {n} "US Average": '
             f"E{n} CO2 {co2}, F{n} CH4 {ch4}, G{n} N2O {n2o} lb/MWh (total output)")
    return [
        _row("electricity", "US|generation", "US average grid, total output", generation,
             "kg CO2e/kWh", "EPA", version, where + "; AR6 GWPs; lb/2.20462"),
        _row("electricity", "US|transmission_distribution",
             f"US average grid gross loss {(loss * 100).normalize()}%", td, "kg CO2e/kWh", "EPA", version,
             f'sheet "Emission Factors Hub", Table 6, K{n} grid gross loss {loss}; '
             "generation x loss / (1 - loss)"),
    ]


def derive_ember(raw_dir: Path) -> list[dict[str, str]]:
    """Lifecycle grid intensity per country (ISO alpha-2), kg CO2e per kWh, from Ember."""
    import pycountry

    data = json.loads((raw_dir / "co2js_average_intensities.json").read_text())
    rows = []
    for alpha3, entry in data.items():
        country = pycountry.countries.get(alpha_3=alpha3) if len(alpha3) == 3 else None
        if country is None:
            continue  # regions (EU, World...) are not countries
        kg = _num(entry["emissions_intensity_gco2_per_kwh"]) / 1000
        rows.append(_row("electricity", f"{country.alpha_2}|lifecycle",
                         f"{entry['country_or_region']}, lifecycle", kg, "kg CO2e/kWh",
                         "Ember", str(entry["year"]),
                         f'key "{alpha3}", emissions_intensity_gco2_per_kwh '
                         f"{entry['emissions_intensity_gco2_per_kwh']} g/kWh"))
    return sorted(rows, key=lambda r: r["key"])


def derive_poore(raw_dir: Path) -> list[dict[str, str]]:
    """Food: kg CO2e per kg of product (mean), Poore & Nemecek 2018 via Our World in Data."""
    column = "GHG emissions per kilogram (Poore & Nemecek, 2018)"
    rows = []
    with (raw_dir / "owid_poore_35605.csv").open(newline="") as f:
        for number, r in enumerate(csv.DictReader(f), start=2):
            entity = r["Entity"]
            if not r[column]:
                continue
            rows.append(_row("food", _slug(entity), entity, _num(r[column]),
                             "kg CO2e/kg", "Poore & Nemecek / Our World in Data", "2018",
                             f'owid_poore_35605.csv line {number}, column "{column}"'))
    return rows


def derive_useeio(raw_dir: Path) -> list[dict[str, str]]:
    """Spend: kg CO2e per 2022 USD at purchaser price (with margins), USEEIO v1.3."""
    column = "Supply Chain Emission Factors with Margins"
    by_code = {}
    with (raw_dir / "useeio_v1.3.csv").open(newline="") as f:
        for number, r in enumerate(csv.DictReader(f), start=2):
            by_code[r["2017 NAICS Code"]] = (number, r)
    rows = []
    for category, code in SPEND_CATEGORIES.items():
        number, r = by_code[code]
        rows.append(_row("spend", category, f"NAICS {code} {r['2017 NAICS Title']}",
                         _num(r[column]), "kg CO2e/USD (2022, purchaser price)", "EPA",
                         "USEEIO v1.3.0", f'useeio_v1.3.csv line {number}, column "{column}"'))
    return rows


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "_" for ch in text.lower())
    return "_".join(part for part in out.split("_") if part)


OUTPUTS = {
    "defra_2024.csv": derive_defra,
    "epa_2025.csv": derive_epa,
    "ember.csv": derive_ember,
    "poore_nemecek_2018.csv": derive_poore,
    "useeio_v1_3.csv": derive_useeio,
}


def render(rows: list[dict[str, str]]) -> str:
    """The CSV text for rows (LF line ends, so the files diff cleanly)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def derive_all(raw_dir: Path) -> dict[str, str]:
    """File name -> CSV text, for every table the runtime reads."""
    return {name: render(fn(raw_dir)) for name, fn in OUTPUTS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in derive_all(args.raw_dir or default_raw_dir()).items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
