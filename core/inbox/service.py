"""Storing updates, handing them out in order, and the leases that say who works.

Nothing here knows Telegram's types: an update is its id, its JSON and the chat
it belongs to (for ordering and the operator's view).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.clock import utcnow
from core.inbox.models import InboxState, InboxUpdate, Lease

# An update that was handed out this often and never finished took the process
# down each time (or was cut off by each crash): it is set aside as failed.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class InboxCounts:
    pending: int
    done: int
    failed: int
    oldest_pending_at: datetime | None


async def store(updates: Iterable[tuple[int, int | None, dict]], *, now: datetime | None = None) -> int:
    """Write (update_id, chat_id, body) rows in one transaction; a known id is skipped.

    Returns how many were new. Called before the update is acknowledged to Telegram.
    """
    now = now or utcnow()
    rows = {update_id: (chat_id, body) for update_id, chat_id, body in updates}
    if not rows:
        return 0
    async with in_transaction():
        known = set(await InboxUpdate.filter(update_id__in=list(rows)).values_list("update_id", flat=True))
        new = [
            # ASCII JSON: a NUL or a lone surrogate a person typed is an escape here, which
            # every engine stores (PostgreSQL refuses a NUL in text, UTF-8 a lone surrogate).
            InboxUpdate(update_id=update_id, chat_id=chat_id, body=json.dumps(body),
                        state=InboxState.PENDING, received_at=now)
            for update_id, (chat_id, body) in sorted(rows.items()) if update_id not in known
        ]
        if new:
            await InboxUpdate.bulk_create(new, ignore_conflicts=True)
    return len(new)


async def next_pending(*, after: Iterable[int] = (), limit: int = 100) -> list[InboxUpdate]:
    """Pending updates in update_id order, leaving out those in `after` (already handed out)."""
    query = InboxUpdate.filter(state=InboxState.PENDING)
    excluded = list(after)
    if excluded:
        query = query.exclude(update_id__in=excluded)
    return await query.order_by("update_id").limit(limit)


async def start_attempts(update_ids: list[int]) -> set[int]:
    """Count one more attempt for each (two statements for a whole batch); returns the ids
    that may run, the others (handed out more than MAX_ATTEMPTS times) are set aside."""
    if not update_ids:
        return set()
    await InboxUpdate.filter(update_id__in=update_ids, state=InboxState.PENDING).update(attempts=F("attempts") + 1)
    worn = set(await InboxUpdate.filter(
        update_id__in=update_ids, state=InboxState.PENDING, attempts__gt=MAX_ATTEMPTS
    ).values_list("update_id", flat=True))
    if worn:
        await InboxUpdate.filter(update_id__in=list(worn)).update(state=InboxState.FAILED)
    return set(update_ids) - worn


async def mark_done(*update_ids: int, now: datetime | None = None) -> None:
    """These updates were handled (one statement for any number of them)."""
    if update_ids:
        await InboxUpdate.filter(update_id__in=list(update_ids), state=InboxState.PENDING).update(
            state=InboxState.DONE, handled_at=now or utcnow()
        )


async def prune(before: datetime) -> int:
    """Forget handled updates older than `before` (Telegram redelivers for a day at most)."""
    return await InboxUpdate.filter(state=InboxState.DONE, handled_at__lt=before).delete()


async def counts() -> InboxCounts:
    by_state = dict.fromkeys(InboxState, 0)
    for state in InboxState:
        by_state[state] = await InboxUpdate.filter(state=state).count()
    oldest = await InboxUpdate.filter(state=InboxState.PENDING).order_by("update_id").first()
    return InboxCounts(
        pending=by_state[InboxState.PENDING], done=by_state[InboxState.DONE],
        failed=by_state[InboxState.FAILED], oldest_pending_at=oldest.received_at if oldest else None,
    )


async def take_lease(name: str, holder: str, ttl_s: float, *, now: datetime | None = None) -> bool:
    """Hold (or renew) the lease `name` for `ttl_s`; False while someone else holds it."""
    now = now or utcnow()
    expires_at = now + timedelta(seconds=ttl_s)
    if await Lease.filter(Q(name=name) & (Q(holder=holder) | Q(expires_at__lte=now))).update(
        holder=holder, expires_at=expires_at
    ):
        return True
    try:
        await Lease.create(name=name, holder=holder, expires_at=expires_at)
    except IntegrityError:  # it exists and someone else holds it
        return False
    return True


async def release_lease(name: str, holder: str) -> None:
    """Give the lease up at once (a clean stop), so a standby need not wait for it to expire."""
    await Lease.filter(name=name, holder=holder).delete()
