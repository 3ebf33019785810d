"""The shipped CSVs are exactly what the derive script makes from the raw files."""

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "derive_emission_factors.py"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_emission_factors", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_factor_tables_match_the_derive_script():
    derive = _derive_module()
    raw = derive.default_raw_dir()
    if not raw.is_dir():
        pytest.skip(f"raw emission factor files not found at {raw}")
    for name, text in derive.derive_all(raw).items():
        shipped = (REPO / "core" / "footprint" / "data" / name).read_text(encoding="utf-8")
        assert shipped == text, f"{name} differs: run scripts/derive_emission_factors.py"


def test_every_shipped_row_names_a_publisher_never_a_mirror():
    import csv

    from core.footprint.factors import DATA_DIR, FACTOR_FILES

    for name in FACTOR_FILES:
        with (DATA_DIR / name).open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                assert row["source"] in {"Defra", "EPA", "Ember",
                                         "Poore & Nemecek / Our World in Data"}
                assert row["location"] and row["version"] and row["unit"]
