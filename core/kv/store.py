"""Reading and writing the key-value store (upsert under the UNIQUE pair)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from core.clock import utcnow
from core.kv.models import KeyValue


async def get_namespace(namespace: str) -> dict[str, Any]:
    """Every key and value in the namespace."""
    rows = await KeyValue.filter(namespace=namespace).values_list("key", "value")
    return dict(rows)


async def set_value(namespace: str, key: str, value: Any, *, now: datetime | None = None) -> None:
    """Store `value` under (namespace, key), replacing what was there."""
    now = now or utcnow()
    if await KeyValue.filter(namespace=namespace, key=key).update(value=value, updated_at=now):
        return
    try:
        await KeyValue.create(namespace=namespace, key=key, value=value, updated_at=now)
    except IntegrityError:  # written by a concurrent call a moment ago: last write wins
        await KeyValue.filter(namespace=namespace, key=key).update(value=value, updated_at=now)


async def delete(namespace: str, key: str) -> None:
    await KeyValue.filter(namespace=namespace, key=key).delete()
