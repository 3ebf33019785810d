"""Small test helpers shared across areas."""

from __future__ import annotations

from datetime import UTC, datetime

from core import registry, users
from core.registry.errors import UnknownProject

SIGNED_UP_AT = datetime(2024, 1, 1, tzinfo=UTC)


async def sign_up_producer(user_id: int) -> None:
    """Sign the user up as a producer (a project's producer must be a user); idempotent."""
    if await users.get_user(user_id) is None:
        await users.sign_up(user_id, f"Producer {user_id}", "en", ["producer"], now=SIGNED_UP_AT)


async def issue_to(user_id: int, kg: int, key: str, *, now: datetime | None = None) -> None:
    """Give a user `kg` of carbon the only way carbon exists: issued to their project.

    Each call issues a batch of a landfill methane project (no buffer share)
    whose producer is the user, so the credits carry real serials.
    """
    code = f"T{user_id}"
    try:
        project = await registry.get_project(code)
    except UnknownProject:
        await sign_up_producer(user_id)
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

