"""Species: growth curves and conversion factors, as data with a citation per value.

Each file in species/ is one species: a Chapman–Richards curve of stem volume
per hectare, V(t) = A (1 - e^(-k t))^p, fitted (scripts/fit_species.py) to the
yield-table points stored beside it, and the factors that turn volume into
CO2: basic wood density D (t dry matter per m³), a biomass expansion factor
BEF (above-ground / stem), the root-to-shoot ratio R and the carbon fraction
CF of the species' group (not a flat 0.5):

    CO2 (t/ha) = V × D × BEF × (1 + R) × CF × 44/12

Every value names its source (publisher, table, page). `checked: true` means the
value was compared with a text that was read, and its `note` quotes the line;
`read_in` says where that text was read when it was not the publication itself
(a repository file at a commit), and `transcription: true` that the text read is
a third party's copy of the table, so the original page was not seen.
`checked: false` marks a value no readable copy of its source was found for;
tests/reforestation/test_species.py lists each one (UNCHECKED) and
docs/DECISIONS.md says what was searched.
The rotation is where the mean annual increment of that stock peaks (the
age of greatest average absorption per year): `rotation_years`.

Floats live here, in the model; the ledger gets whole kilograms (floor).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.reforestation.errors import UnknownSpecies

DATA = Path(__file__).resolve().parent / "species"
CO2_PER_C = 44 / 12
MAX_ROTATION_YEARS = 150


@dataclass(frozen=True)
class Citation:
    publisher: str
    table: str
    page: str
    checked: bool
    note: str = ""
    read_in: str = ""
    transcription: bool = False


@dataclass(frozen=True)
class YieldPoint:
    age: int
    volume_m3_ha: float


@dataclass(frozen=True)
class Species:
    code: str
    name: str
    climate: str
    group: str
    reference_density: int  # trees/ha of the table's stand: planted, or at its first entry if none given
    a: float
    k: float
    p: float
    tolerance_relative: float
    tolerance_absolute: float
    yield_points: tuple[YieldPoint, ...]
    wood_density: float
    bef: float
    carbon_fraction: float
    root_to_shoot: float
    citations: dict[str, Citation]

    @property
    def unchecked(self) -> tuple[str, ...]:
        """The values not yet compared with a source text that was read (see `Citation.checked`)."""
        return tuple(name for name, c in self.citations.items() if not c.checked)

    def volume_m3_ha(self, age_years: float) -> float:
        """Stem volume per hectare of a fully stocked stand at `age_years` (Chapman–Richards)."""
        if age_years <= 0:
            return 0.0
        return self.a * (1 - math.exp(-self.k * age_years)) ** self.p

    @property
    def co2_t_per_m3(self) -> float:
        """Tonnes CO2 in the whole tree (above and below ground) per m³ of stem."""
        return self.wood_density * self.bef * (1 + self.root_to_shoot) * self.carbon_fraction * CO2_PER_C

    def co2_kg_ha(self, age_years: float) -> float:
        return self.volume_m3_ha(age_years) * self.co2_t_per_m3 * 1000

    @property
    def rotation_years(self) -> int:
        """The whole year at which the mean annual increment (stock / age) is greatest."""
        return max(range(1, MAX_ROTATION_YEARS + 1), key=lambda t: self.co2_kg_ha(t) / t)

    def long_term_average_kg_ha(self, rotation_years: int, steps_per_year: int = 12) -> float:
        """The stock averaged over one rotation (plant, grow, harvest at `rotation_years`):
        the same for every rotation that follows, so it is the long-term average."""
        n = rotation_years * steps_per_year
        return sum(self.co2_kg_ha((i + 0.5) / steps_per_year) for i in range(n)) / n


def _citation(data: dict) -> Citation:
    return Citation(data["publisher"], data["table"], str(data["page"]), bool(data["checked"]), data.get("note", ""),
                    data.get("read_in", ""), bool(data.get("transcription", False)))


def _load(path: Path) -> Species:
    d = json.loads(path.read_text(encoding="utf-8"))
    g = d["growth"]
    if g["model"] != "chapman_richards":
        raise ValueError(f"{path.name}: unknown growth model {g['model']!r}")
    citations = {
        "reference_density": _citation(d["reference_density"]["source"]),
        "growth": _citation(g["fitted"]),
        "yield_points": _citation(g["yield_points"]["source"]),
        "wood_density": _citation(d["wood_density"]["source"]),
        "biomass_expansion_factor": _citation(d["biomass_expansion_factor"]["source"]),
        "carbon_fraction": _citation(d["carbon_fraction"]["source"]),
        "root_to_shoot": _citation(d["root_to_shoot"]["source"]),
    }
    return Species(
        code=d["code"], name=d["name"], climate=d["climate"], group=d["group"],
        reference_density=int(d["reference_density"]["value"]),
        a=float(g["A"]), k=float(g["k"]), p=float(g["p"]),
        tolerance_relative=float(g["tolerance"]["relative"]),
        tolerance_absolute=float(g["tolerance"]["absolute_m3_ha"]),
        yield_points=tuple(YieldPoint(int(x["age"]), float(x["volume_m3_ha"])) for x in g["yield_points"]["values"]),
        wood_density=float(d["wood_density"]["value"]), bef=float(d["biomass_expansion_factor"]["value"]),
        carbon_fraction=float(d["carbon_fraction"]["value"]), root_to_shoot=float(d["root_to_shoot"]["value"]),
        citations=citations,
    )


@cache
def all_species() -> dict[str, Species]:
    return {s.code: s for s in (_load(p) for p in sorted(DATA.glob("*.json")))}


def get_species(code: str) -> Species:
    try:
        return all_species()[code]
    except KeyError:
        raise UnknownSpecies(species=code, known=", ".join(sorted(all_species()))) from None
