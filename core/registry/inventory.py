"""What is there to sell: unretired kg per project, batch and account."""

from __future__ import annotations

from collections import defaultdict

from core.registry.models import BlockStatus, SerialBlock
from core.registry.views import InventoryLine


async def project_inventory(project_id: int | None = None) -> list[InventoryLine]:
    """Active and held kg of every batch in every account (retired excluded)."""
    query = SerialBlock.filter(status__in=[BlockStatus.ACTIVE, BlockStatus.HELD])
    if project_id is not None:
        query = query.filter(batch__project_id=project_id)
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = await query.values_list(
        "batch__project_id", "batch__project__code", "batch_id", "batch__vintage",
        "account_id", "status", "serial_first", "serial_last",
    )
    for project, code, batch, vintage, account, status, first, last in rows:
        slot = 0 if status == BlockStatus.ACTIVE else 1
        totals[(project, code, batch, vintage, account)][slot] += last - first + 1
    return [
        InventoryLine(p, c, b, v, a, active, held)
        for (p, c, b, v, a), (active, held) in sorted(totals.items())
    ]
