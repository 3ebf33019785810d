"""Freezing a user: they can still read everything, but move nothing.

A freeze is a row (who, why, when) plus the ledger's own freeze on every account
the user owns, so the database refuses any movement in or out of them whichever
feature tries (a purchase, a trade, a claim). Pre-checkout reads `frozen_reason`
before Telegram takes any money; a payment that still arrives is booked and
refunded (core.purchases). The user is told why, through the outbox, in the
freeze's own transaction.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import outbox
from core.clock import utcnow
from core.ledger.accounts import user_owner
from core.ledger.models import Account
from core.staff import audit
from core.staff.errors import AlreadyFrozen, NotFrozen, ReasonRequired, UserNotFound
from core.staff.models import Freeze
from core.users.models import User

MAX_REASON_CHARS = 300


def check_reason(reason: str) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ReasonRequired()
    return reason[:MAX_REASON_CHARS]


async def frozen_reason(user_id: int) -> str | None:
    """Why the user is frozen, or None if they are not."""
    row = await Freeze.get_or_none(user_id=user_id)
    return None if row is None else row.reason


async def freeze(actor_id: int, user_id: int, reason: str, *, now: datetime | None = None) -> None:
    """Freeze the user's accounts with a reason (audited; the user is told)."""
    from core.staff.roles import Level, require

    await require(actor_id, Level.ADMIN, action="freeze", now=now)
    reason = check_reason(reason)
    now = now or utcnow()
    if not await User.filter(id=user_id).exists():
        raise UserNotFound(user=user_id)
    if await Freeze.filter(user_id=user_id).exists():
        raise AlreadyFrozen(user=user_id)
    try:
        await _freeze(actor_id, user_id, reason, now)
    except IntegrityError:  # frozen by someone else at the same moment
        raise AlreadyFrozen(user=user_id) from None


async def _freeze(actor_id: int, user_id: int, reason: str, now: datetime) -> None:
    async with in_transaction():
        await Freeze.create(user_id=user_id, reason=reason, frozen_by=actor_id, frozen_at=now)
        frozen = await Account.filter(owner=user_owner(user_id)).update(is_frozen=True)
        await audit.record(actor_id, "freeze", target_user_id=user_id, reason=reason,
                           before={"frozen": False}, after={"frozen": True, "accounts": frozen}, now=now)
        await outbox.enqueue(user_id, "account_frozen", {"reason": reason},
                             dedup_key=f"frozen:{user_id}:{now.isoformat()}", now=now)


async def unfreeze(actor_id: int, user_id: int, reason: str, *, now: datetime | None = None) -> None:
    from core.staff.roles import Level, require

    await require(actor_id, Level.ADMIN, action="unfreeze", now=now)
    reason = check_reason(reason)
    now = now or utcnow()
    async with in_transaction():
        row = await Freeze.get_or_none(user_id=user_id)
        if row is None:
            raise NotFrozen(user=user_id)
        await Freeze.filter(user_id=user_id).delete()
        await Account.filter(owner=user_owner(user_id)).update(is_frozen=False)
        await audit.record(actor_id, "unfreeze", target_user_id=user_id, reason=reason,
                           before={"frozen": True, "reason": row.reason}, after={"frozen": False}, now=now)
        await outbox.enqueue(user_id, "account_unfrozen", {"reason": reason},
                             dedup_key=f"unfrozen:{user_id}:{now.isoformat()}", now=now)
