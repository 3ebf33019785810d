"""The result of a footprint: lines that each cite their factor, and one total.

Rounding rule (DESIGN.md "Amounts: a footprint's kg round up"): every line keeps
its exact Decimal product quantity x factor; only the sum is rounded, once, up to
the next whole kilogram, by `round_up_kg`. Credits are that integer / 1000
(1 credit = 1 t CO2e), shown with three decimals, so they are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from core.footprint.factors import Factor


def round_up_kg(kg: Decimal) -> int:
    """The one rounding of a footprint: exact kg CO2e up to the next whole kg."""
    return int(kg.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Line:
    """One quantity times one cited factor."""

    label: str
    quantity: Decimal
    unit: str
    factor: Decimal
    factor_unit: str
    source: str
    version: str
    location: str
    kg_co2e: Decimal

    @classmethod
    def of(cls, label: str, quantity: Decimal, unit: str, factor: Factor) -> Line:
        return cls(label=label, quantity=quantity, unit=unit, factor=factor.value,
                   factor_unit=factor.unit, source=factor.source, version=factor.version,
                   location=factor.location, kg_co2e=quantity * factor.value)

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "quantity": str(self.quantity), "unit": self.unit,
                "factor": str(self.factor), "factor_unit": self.factor_unit,
                "source": self.source, "version": self.version,
                "location": self.location, "kg_co2e": str(self.kg_co2e)}


@dataclass(frozen=True)
class Footprint:
    """What an activity emits: inputs, cited lines, total kg (rounded up), credits."""

    activity: str
    inputs: dict[str, object]
    lines: tuple[Line, ...]
    kg_co2e: int
    credits: Decimal
    reason: str
    notes: tuple[str, ...] = field(default=())

    @property
    def credits_text(self) -> str:
        return f"{self.credits:.3f}"

    def as_dict(self) -> dict[str, object]:
        return {"activity": self.activity, "reason": self.reason,
                "kg_co2e": self.kg_co2e, "credits": self.credits_text,
                "inputs": {k: _plain(v) for k, v in self.inputs.items()},
                "lines": [line.as_dict() for line in self.lines],
                "notes": list(self.notes)}


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def make_footprint(activity: str, inputs: dict[str, object], lines: list[Line],
                   reason: str, notes: tuple[str, ...] = ()) -> Footprint:
    """Sum the exact lines, round up once, and derive credits from the rounded kg."""
    kg = round_up_kg(sum((line.kg_co2e for line in lines), Decimal(0)))
    return Footprint(activity=activity, inputs=inputs, lines=tuple(lines), kg_co2e=kg,
                     credits=(Decimal(kg) / 1000).quantize(Decimal("0.001")),
                     reason=reason, notes=notes)
