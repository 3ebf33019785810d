"""Issuing a batch for an approved project, from the staff tools (audited)."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from core import registry
from core.clock import utcnow
from core.staff import audit
from core.staff.roles import Level, require


async def issue_batch(actor_id: int, project: str, vintage: int, amount_kg: int, *, key: str,
                      now: datetime | None = None) -> registry.BatchView:
    """The registry issues the credits (its rules: approved project, vintage, amount); audited."""
    await require(actor_id, Level.ADMIN, action="issue", now=now)
    now = now or utcnow()
    async with in_transaction():
        batch = await registry.issue_batch(project, vintage, amount_kg, key=f"staff:{key}", now=now)
        await audit.record(actor_id, "issue", target=f"project {project} batch {batch.id}",
                           after={"vintage": vintage, "amount_kg": amount_kg}, posting_keys=[batch.posting_key],
                           now=now)
    return batch
