"""The result of a footprint: lines that each cite their factor, and one total.

Rounding rule (DESIGN.md "Amounts: a footprint's kg round up"): every line keeps
its exact Decimal product quantity x factor; only the sum is rounded, once, up to
the next whole kilogram, by `round_up_kg`. Credits are that integer / 1000
(1 credit = 1 t CO2e), shown with three decimals, so they are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from core.footprint.factors import Factor
from core.footprint.texts import Text, render


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
    text: Text | None = None  # the label as a message to translate (label: the source's words)

    @classmethod
    def of(cls, label: str, quantity: Decimal, unit: str, factor: Factor,
           text: Text | None = None) -> Line:
        return cls(label=label, quantity=quantity, unit=unit, factor=factor.value,
                   factor_unit=factor.unit, source=factor.source, version=factor.version,
                   location=factor.location, kg_co2e=quantity * factor.value, text=text)

    @property
    def shown_text(self) -> Text:
        return self.text or Text(self.label)

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
    # What a person reads, as messages (core/footprint/texts.py): what was understood
    # (airports, places, countries) and the notes; `notes` keeps the English.
    understood: tuple[Text, ...] = field(default=())
    note_texts: tuple[Text, ...] = field(default=())

    @property
    def shown_total(self) -> Decimal:
        """The footprint as shown: the sum of the lines at one decimal each."""
        return sum((shown_kg(line.kg_co2e) for line in self.lines), Decimal("0.0"))

    @property
    def credits_text(self) -> str:
        return f"{self.credits:.3f}"

    def as_dict(self) -> dict[str, object]:
        return {"activity": self.activity, "reason": self.reason,
                "kg_co2e": self.kg_co2e, "credits": self.credits_text,
                "inputs": {k: _plain(v) for k, v in self.inputs.items()},
                "lines": [line.as_dict() for line in self.lines],
                "notes": list(self.notes),
                "understood": [render(u) for u in self.understood]}


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def shown_kg(kg: Decimal) -> Decimal:
    """A breakdown line's kg as shown: one decimal, half up. The total shown is the sum
    of the lines as shown (Footprint.shown_total), so a line never reads "= 23 kg" above
    a total of 24; what to offset is the exact sum rounded up to the whole kg (kg_co2e)."""
    return kg.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def make_footprint(activity: str, inputs: dict[str, object], lines: list[Line],
                   reason: str, notes: tuple[str, ...] = (), *,
                   understood: tuple[Text, ...] = (),
                   note_texts: tuple[Text, ...] | None = None) -> Footprint:
    """Sum the exact lines, round up once, and derive credits from the rounded kg."""
    kg = round_up_kg(sum((line.kg_co2e for line in lines), Decimal(0)))
    return Footprint(activity=activity, inputs=inputs, lines=tuple(lines), kg_co2e=kg,
                     credits=(Decimal(kg) / 1000).quantize(Decimal("0.001")),
                     reason=reason, notes=notes, understood=understood,
                     note_texts=tuple(Text(n) for n in notes) if note_texts is None
                     else note_texts)
