"""The shipped factor tables (core/footprint/data/*.csv), read once.

scripts/derive_emission_factors.py writes them from the publishers' files; each row
carries its value, unit, publisher, version and where in the source it sits.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FACTOR_FILES = ("defra_2024.csv", "epa_2025.csv", "ember.csv", "poore_nemecek_2018.csv",
                "useeio_v1_3.csv")


@dataclass(frozen=True)
class Factor:
    activity: str
    key: str
    label: str
    value: Decimal
    unit: str
    source: str
    version: str
    location: str


@cache
def all_factors() -> dict[tuple[str, str], Factor]:
    """(activity, key) -> Factor over every shipped table."""
    table: dict[tuple[str, str], Factor] = {}
    for name in FACTOR_FILES:
        with (DATA_DIR / name).open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                row["value"] = Decimal(row["value"])
                table[(row["activity"], row["key"])] = Factor(**row)
    return table


def factor(activity: str, key: str) -> Factor | None:
    return all_factors().get((activity, key))


def keys(activity: str) -> list[str]:
    return [k for (a, k) in all_factors() if a == activity]
