"""The audit log: every staff action, append-only (the database refuses UPDATE and DELETE).

An entry says who (the staff member's Telegram id; None for the system), what
(an action name), the target (a user and/or an order, charge, ticket...), the
reason, the state before and after, and the ledger posting keys the action
caused. `record` runs inside the action's own transaction, so an action that
rolls back leaves no entry and a committed one always has its entry. Attempts
the role check refused are recorded too (`is_refused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.clock import utcnow
from core.staff.models import AuditEntry

PAGE_SIZE = 10


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    target_user_id: int | None
    target: str
    reason: str
    before: dict
    after: dict
    posting_keys: tuple[str, ...]
    is_refused: bool


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditView, ...]
    older_cursor: int | None  # `before` for the next older page; None: no older entries


def _view(row: AuditEntry) -> AuditView:
    return AuditView(
        id=row.id, at=row.at, actor_id=row.actor_id, action=row.action,
        target_user_id=row.target_user_id, target=row.target, reason=row.reason,
        before=row.before or {}, after=row.after or {}, posting_keys=tuple(row.posting_keys or ()),
        is_refused=row.is_refused,
    )


async def record(
    actor_id: int | None,
    action: str,
    *,
    target_user_id: int | None = None,
    target: str = "",
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    posting_keys: Sequence[str] = (),
    is_refused: bool = False,
    now: datetime | None = None,
) -> AuditView:
    row = await AuditEntry.create(
        at=now or utcnow(), actor_id=actor_id, action=action[:32], target_user_id=target_user_id,
        target=str(target)[:200], reason=str(reason)[:500], before=before or {}, after=after or {},
        posting_keys=list(posting_keys), is_refused=is_refused,
    )
    return _view(row)


async def page(
    *, user_id: int | None = None, actor_id: int | None = None, before: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """Newest first; `user_id` filters by target, `actor_id` by staff member."""
    query = AuditEntry.all()
    if user_id is not None:
        query = query.filter(target_user_id=user_id)
    if actor_id is not None:
        query = query.filter(actor_id=actor_id)
    if before:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    older = rows[limit - 1].id if len(rows) > limit else None
    return AuditPage(entries=tuple(_view(r) for r in rows[:limit]), older_cursor=older)
