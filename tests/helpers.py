"""Small test helpers shared across areas."""

from __future__ import annotations

from datetime import datetime

from core import registry
from core.registry.errors import UnknownProject


async def issue_to(user_id: int, kg: int, key: str, *, now: datetime | None = None) -> None:
    """Give a user `kg` of carbon the only way carbon exists: issued to their project.

    Each call issues a batch of a landfill methane project (no buffer share)
    whose producer is the user, so the credits carry real serials.
    """
    code = f"T{user_id}"
    try:
        project = await registry.get_project(code)
    except UnknownProject:
        project = await registry.create_project(
            name=f"Test project of {user_id}",
            methodology="ACM0001",
            country="DE",
            producer_id=user_id,
            code=code,
            approve=True,
            now=now,
        )
    vintage = (now.year if now else 2025) - 1
    await registry.issue_batch(project.id, vintage, kg, key=key, now=now)

