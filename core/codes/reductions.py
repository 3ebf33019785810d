"""The claims' reduction orders as the registry shows them (see core/registry/reductions.py)."""

from __future__ import annotations

from core.codes.models import CodeReduction
from core.registry.reductions import ReductionView


async def reductions_of_retirement(retirement_id: str) -> list[ReductionView]:
    """The reduction orders of the claims whose credits this retirement retired."""
    rows = await CodeReduction.filter(retirement_public_id=retirement_id).order_by("id").values(
        "id", "amount_kg", "status", "created_at"
    )
    return [
        ReductionView(id=r["id"], amount_kg=r["amount_kg"], status=r["status"], created_at=r["created_at"],
                      retirement_id=retirement_id)
        for r in rows
    ]
