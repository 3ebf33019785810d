"""The methodologies the registry knows: how a project's reductions are counted.

A constant table, not a database table: a methodology is a reviewed rule
set that changes with the code that applies it (which gas, which buffer),
so adding one is a reviewed change here (one row), and projects store its
code. Codes are those of the standard that publishes the methodology; CCCP's
own carry the ``CCCP-`` prefix.

`buffer_percent` is the default share of each issuance that goes to the
project's buffer pool against reversals (DESIGN.md: 20 for reforestation,
whose carbon can burn or be cut; 0 for destroyed gases, which cannot come
back). `gas` is what the project reports; `issue_reduction` converts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.registry.errors import UnknownMethodology
from core.registry.gases import Gas


class Standard(StrEnum):
    VCS = "VCS"  # Verra's Verified Carbon Standard
    GOLD_STANDARD = "Gold Standard"
    CCCP = "CCCP"  # the product's own standard


class ProjectType(StrEnum):
    REFORESTATION = "reforestation"
    LANDFILL_METHANE = "landfill_methane"
    PIPELINE_LEAK_REPAIR = "pipeline_leak_repair"
    SF6_DESTRUCTION = "sf6_destruction"


@dataclass(frozen=True)
class Methodology:
    code: str
    name: str
    standard: Standard
    project_type: ProjectType
    gas: Gas
    buffer_percent: int


METHODOLOGIES: dict[str, Methodology] = {
    m.code: m
    for m in (
        Methodology(
            "VM0047",
            "Afforestation, Reforestation and Revegetation",
            Standard.VCS,
            ProjectType.REFORESTATION,
            Gas.CO2,
            20,
        ),
        Methodology(
            "CCCP-ARR",
            "CCCP natural reforestation (plant, grow, harvest, replant)",
            Standard.CCCP,
            ProjectType.REFORESTATION,
            Gas.CO2,
            20,
        ),
        Methodology(
            "ACM0001",
            "Flaring or use of landfill gas",
            Standard.GOLD_STANDARD,
            ProjectType.LANDFILL_METHANE,
            Gas.CH4_NON_FOSSIL,  # landfill methane is biogenic
            0,
        ),
        Methodology(
            "AM0023",
            "Leak detection and repair in gas production, processing, transmission, "
            "storage and distribution systems",
            Standard.VCS,
            ProjectType.PIPELINE_LEAK_REPAIR,
            Gas.CH4_FOSSIL,
            0,
        ),
        Methodology(
            "CCCP-SF6",
            "SF6 capture and destruction (after CDM AM0035, SF6 emission reductions in electrical grids)",
            Standard.CCCP,
            ProjectType.SF6_DESTRUCTION,
            Gas.SF6,
            0,
        ),
    )
}


def get_methodology(code: str) -> Methodology:
    for known in METHODOLOGIES:
        if known.lower() == str(code).strip().lower():
            return METHODOLOGIES[known]
    raise UnknownMethodology(methodology=code, choices=list(METHODOLOGIES))


def list_methodologies() -> list[Methodology]:
    return list(METHODOLOGIES.values())
