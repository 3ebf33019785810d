"""Reduction orders in the registry: what a retirement's purchase set going.

Every purchase records a reduction order (seed claim: a purchase starts a
carbon reduction process) that the reforestation issue will turn into trees.
Until then the order is shown with the retirement it produced, in the public
look-up. The orders live with the purchases (core/purchases), which import
the registry, so the registry cannot read them itself: `core.setup()`
installs the purchases' source here, as it installs the registry's movement
hook with the ledger. With no source installed, a look-up shows no orders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReductionView:
    """One reduction order, as the registry shows it."""

    id: int
    amount_kg: int
    status: str  # "recorded" until the reforestation issue plants it
    created_at: datetime
    retirement_id: str | None  # the retirement of the purchase that started it


ReductionSource = Callable[[str], Awaitable[list[ReductionView]]]
_sources: list[ReductionSource] = []


def register_reduction_source(source: ReductionSource) -> None:
    """Make `source(retirement_id)` part of every look-up of a retirement (once, by core.setup())."""
    if source not in _sources:
        _sources.append(source)


async def reductions_for_retirement(retirement_id: str) -> tuple[ReductionView, ...]:
    """The reduction orders started by the purchase that produced this retirement."""
    found: list[ReductionView] = []
    for source in _sources:
        found += await source(retirement_id)
    return tuple(sorted(found, key=lambda r: r.id))
