"""Staff roles, read from the database whenever a command runs.

Two levels: support (the users' STAFF role bit; admins grant and revoke it in
the bot) and admin (the ids in ADMIN_IDS, mirrored into `staff_admin` at start:
added, and removed when they leave the setting; each change is audited and
logged). An admin may do everything support may.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from enum import IntEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import users
from core.clock import utcnow
from core.staff import audit
from core.staff.errors import CannotRevokeAdmin, NotStaff, UserNotFound
from core.staff.models import StaffAdmin
from core.users.models import ROLE_BITS, User, UserRole

log = logging.getLogger(__name__)


class Level(IntEnum):
    NONE = 0
    SUPPORT = 1
    ADMIN = 2


async def level_of(user_id: int) -> Level:
    """What the database says this person may do now."""
    if await StaffAdmin.filter(user_id=user_id).exists():
        return Level.ADMIN
    if await User.filter(id=user_id).exists():
        user = await User.get(id=user_id)
        if user.roles & ROLE_BITS[UserRole.STAFF]:
            return Level.SUPPORT
    return Level.NONE


async def require(user_id: int, level: Level, *, action: str, now: datetime | None = None) -> Level:
    """The person's level if it reaches `level`; else the attempt is audited and NotStaff raised."""
    have = await level_of(user_id)
    if have < level:
        await audit.record(user_id, action, is_refused=True, after={"needed": level.name.lower()}, now=now)
        raise NotStaff(action=action)
    return have


async def sync_admins(admin_ids: Iterable[int], *, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """Make `staff_admin` exactly ADMIN_IDS; returns (added, removed) and logs both."""
    now = now or utcnow()
    wanted = set(admin_ids)
    present = set(await StaffAdmin.all().values_list("user_id", flat=True))
    added, removed = [], []
    # Each change in its own transaction: several processes starting at once add an admin once
    # (the primary key refuses the twin) and each change has its one audit entry.
    for user_id in sorted(wanted - present):
        try:
            async with in_transaction():
                await StaffAdmin.create(user_id=user_id, since=now)
                await audit.record(None, "admin_added", target_user_id=user_id, reason="ADMIN_IDS", now=now)
            added.append(user_id)
        except IntegrityError:
            pass  # another process added it a moment ago
    for user_id in sorted(present - wanted):
        async with in_transaction():
            if await StaffAdmin.filter(user_id=user_id).delete():
                await audit.record(None, "admin_removed", target_user_id=user_id, reason="ADMIN_IDS", now=now)
                removed.append(user_id)
    log.info("admins from ADMIN_IDS: %s (added %s, removed %s)", sorted(wanted) or "none", added or "none",
             removed or "none")
    return added, removed


async def grant_support(actor_id: int, user_id: int, *, now: datetime | None = None) -> users.UserView:
    await require(actor_id, Level.ADMIN, action="grant", now=now)
    if await users.get_user(user_id) is None:
        raise UserNotFound(user=user_id)
    async with in_transaction():
        view = await users.grant_staff(user_id, granted_by=f"admin {actor_id}")
        await audit.record(actor_id, "grant", target_user_id=user_id, after={"role": "support"}, now=now)
    return view


async def revoke_support(actor_id: int, user_id: int, *, now: datetime | None = None) -> None:
    await require(actor_id, Level.ADMIN, action="revoke", now=now)
    if await StaffAdmin.filter(user_id=user_id).exists():
        raise CannotRevokeAdmin(user=user_id)
    bit = ROLE_BITS[UserRole.STAFF]
    async with in_transaction():
        user = await User.get_or_none(id=user_id)
        if user is None:
            raise UserNotFound(user=user_id)
        had = bool(user.roles & bit)
        # Clear the one bit in the database: a concurrent change of another role is kept.
        while user.roles & bit and not await User.filter(id=user_id, roles=user.roles).update(
            roles=user.roles & ~bit
        ):
            user = await User.get(id=user_id)
        await audit.record(actor_id, "revoke", target_user_id=user_id, before={"support": had},
                           after={"support": False}, now=now)


async def staff_ids(level: Level = Level.SUPPORT) -> list[int]:
    """Everyone with at least `level` (for the support group's replies and the menu)."""
    admins = set(await StaffAdmin.all().values_list("user_id", flat=True))
    if level == Level.ADMIN:
        return sorted(admins)
    bit = ROLE_BITS[UserRole.STAFF]
    support = {u.id for u in await User.all().only("id", "roles") if u.roles & bit}
    return sorted(admins | support)
