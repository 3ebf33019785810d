"""The purchases' reduction orders as the registry shows them (see core/registry/reductions.py)."""

from __future__ import annotations

from core.purchases.models import ReductionOrder, ReductionStatus
from core.registry.reductions import ReductionView


async def reductions_of_retirement(retirement_id: str) -> list[ReductionView]:
    """The reduction order of the purchase whose credits this retirement retired (one query)."""
    rows = await ReductionOrder.filter(purchase__retirement_id=retirement_id).order_by("id").values(
        "id", "amount_kg", "status", "created_at"
    )
    return [
        ReductionView(
            id=r["id"], amount_kg=r["amount_kg"], status=str(ReductionStatus(r["status"]).value),
            created_at=r["created_at"], retirement_id=retirement_id,
        )
        for r in rows
    ]
