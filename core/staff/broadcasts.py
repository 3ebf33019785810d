"""Broadcasts: one message to a segment of users, through the outbox.

preview (a draft with its recipient count) -> confirm (one outbox row per
recipient, topic NEWS, written in one transaction; the conditional UPDATE of the
draft makes a second confirm write nothing) -> the outbox's sender delivers
them (pacing, muting and 429s are the sender's) -> done. Progress is read from
the rows' own states; cancel fails the rows not sent yet. Segments: `all`,
`role:<role>` (consumer, trader, producer, merchant, staff) and `lang:<code>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from core.clock import utcnow
from core.i18n import LANGUAGES
from core.outbox import OutboxMessage, OutboxState, Topic
from core.staff import audit
from core.staff.errors import BadSegment, UnknownBroadcast
from core.staff.models import Broadcast, BroadcastState
from core.staff.roles import Level, require
from core.users.models import ROLE_BITS, User, UserRole

MAX_TEXT_CHARS = 3500
CANCELLED = "cancelled"


@dataclass(frozen=True)
class BroadcastView:
    id: int
    segment: str
    text: str
    state: BroadcastState
    recipients: int
    sent: int = 0
    skipped: int = 0  # blocked the bot, or cancelled before sending
    pending: int = 0
    progress_chat_id: int | None = None
    progress_message_id: int | None = None

    @property
    def percent(self) -> int:
        if not self.recipients:
            return 100
        return (self.sent + self.skipped) * 100 // self.recipients


def parse_segment(text: str) -> str:
    segment = str(text or "all").strip().lower()
    if segment == "all":
        return segment
    kind, _, value = segment.partition(":")
    if kind == "role" and value in {r.value for r in UserRole}:
        return segment
    if kind in ("lang", "language") and value in LANGUAGES:
        return f"lang:{value}"
    raise BadSegment(segment=segment[:32])


async def _recipients(segment: str) -> list[int]:
    query = User.all()
    if segment.startswith("lang:"):
        query = query.filter(language=segment.removeprefix("lang:"))
    rows = await query.order_by("id").values_list("id", "roles")
    if segment.startswith("role:"):
        bit = ROLE_BITS[UserRole(segment.removeprefix("role:"))]
        return [user_id for user_id, roles in rows if roles & bit]
    return [user_id for user_id, _ in rows]


def _prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


async def preview(actor_id: int, segment: str, text: str, *, now: datetime | None = None) -> BroadcastView:
    await require(actor_id, Level.ADMIN, action="broadcast", now=now)
    segment = parse_segment(segment)
    text = str(text or "").strip()
    if not text:
        raise BadSegment(segment=segment, why="empty")
    row = await Broadcast.create(actor_id=actor_id, segment=segment, text=text[:MAX_TEXT_CHARS],
                                 recipients=len(await _recipients(segment)), created_at=now or utcnow())
    return await progress(row.id)


async def confirm(actor_id: int, broadcast_id: int, *, progress_chat_id: int | None = None,
                  progress_message_id: int | None = None, now: datetime | None = None) -> BroadcastView:
    """Write one outbox row per recipient, once (a second press finds the broadcast sending)."""
    await require(actor_id, Level.ADMIN, action="broadcast", now=now)
    now = now or utcnow()
    async with in_transaction():
        row = await Broadcast.get_or_none(id=broadcast_id)
        if row is None:
            raise UnknownBroadcast(broadcast=broadcast_id)
        if await Broadcast.filter(id=broadcast_id, state=BroadcastState.DRAFT).update(
            state=BroadcastState.SENDING, progress_chat_id=progress_chat_id, progress_message_id=progress_message_id
        ):
            recipients = await _recipients(row.segment)
            await Broadcast.filter(id=broadcast_id).update(recipients=len(recipients))
            await OutboxMessage.bulk_create([
                OutboxMessage(chat_id=user_id, kind="broadcast", params={"broadcast": broadcast_id},
                              topic=Topic.NEWS, dedup_key=f"{_prefix(broadcast_id)}{user_id}",
                              state=OutboxState.PENDING, created_at=now, due_at=now)
                for user_id in recipients
            ], batch_size=500)
            await audit.record(actor_id, "broadcast", target=f"broadcast {broadcast_id}", reason=row.segment,
                               after={"recipients": len(recipients), "text": row.text[:200]}, now=now)
    return await progress(broadcast_id)


async def cancel(actor_id: int, broadcast_id: int, *, now: datetime | None = None) -> BroadcastView:
    await require(actor_id, Level.ADMIN, action="broadcast_cancel", now=now)
    async with in_transaction():
        if not await Broadcast.filter(
            id=broadcast_id, state__in=(BroadcastState.DRAFT, BroadcastState.SENDING)
        ).update(state=BroadcastState.CANCELLED):
            return await progress(broadcast_id)
        stopped = await OutboxMessage.filter(
            dedup_key__startswith=_prefix(broadcast_id), state=OutboxState.PENDING
        ).update(state=OutboxState.SKIPPED, last_error=CANCELLED)
        await audit.record(actor_id, "broadcast_cancel", target=f"broadcast {broadcast_id}",
                           after={"not_sent": stopped}, now=now)
    return await progress(broadcast_id)


async def progress(broadcast_id: int) -> BroadcastView:
    """Counts from the rows' states; a sending broadcast with nothing left is done."""
    row = await Broadcast.get_or_none(id=broadcast_id)
    if row is None:
        raise UnknownBroadcast(broadcast=broadcast_id)
    counts = dict(await OutboxMessage.filter(dedup_key__startswith=_prefix(broadcast_id))
                  .annotate(n=Count("id")).group_by("state").values_list("state", "n"))
    sent = counts.get(OutboxState.SENT, 0)
    # skipped: muted, blocked the bot or cancelled (the sender's SKIPPED), or failed for good
    skipped = counts.get(OutboxState.SKIPPED, 0) + counts.get(OutboxState.FAILED, 0)
    pending = counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.SENDING, 0)
    state = BroadcastState(row.state)
    if state == BroadcastState.SENDING and not pending:
        if await Broadcast.filter(id=row.id, state=BroadcastState.SENDING).update(state=BroadcastState.DONE):
            state = BroadcastState.DONE
    return BroadcastView(row.id, row.segment, row.text, state, row.recipients, sent, skipped, pending,
                         row.progress_chat_id, row.progress_message_id)


async def sending() -> list[BroadcastView]:
    """Broadcasts still going out (the progress job edits their messages)."""
    ids = await Broadcast.filter(state=BroadcastState.SENDING).order_by("id").values_list("id", flat=True)
    return [await progress(i) for i in ids]


async def text_of(broadcast_id: int) -> tuple[str, BroadcastState]:
    row = await Broadcast.get_or_none(id=broadcast_id)
    if row is None:
        raise UnknownBroadcast(broadcast=broadcast_id)
    return row.text, BroadcastState(row.state)
