"""Writing messages in the cause's transaction, and claiming them for a sender.

`enqueue` is called inside the transaction of the event (it uses whatever
transaction is open). A sender `claim`s due rows (pending -> sending with a
conditional UPDATE, so two senders never take the same row), sends each, then
`mark_sent` — or `mark_retry` / `mark_failed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.clock import utcnow
from core.outbox.models import OutboxMessage, OutboxState, Topic

CLAIM_TIMEOUT = timedelta(minutes=2)
MAX_ATTEMPTS = 8
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sending: int
    sent: int
    failed: int
    oldest_pending_at: datetime | None


async def enqueue(
    chat_id: int, kind: str, params: dict, *, dedup_key: str, now: datetime | None = None,
    due_at: datetime | None = None, topic: Topic | None = None,
) -> OutboxMessage:
    """One message for `chat_id`; the same dedup_key again returns the first row.

    `topic` says what a notification is about, so a person who muted it is spared;
    leave it None for what must always arrive (a receipt, a refund, a staff reply)."""
    now = now or utcnow()
    if (existing := await OutboxMessage.get_or_none(dedup_key=dedup_key)) is not None:
        return existing
    try:
        # A savepoint, so a twin's UNIQUE violation does not abort the caller's transaction.
        async with in_transaction():
            return await OutboxMessage.create(
                chat_id=chat_id, kind=kind, params=params, dedup_key=dedup_key, topic=topic,
                state=OutboxState.PENDING, created_at=now, due_at=due_at or now,
            )
    except IntegrityError:
        return await OutboxMessage.get(dedup_key=dedup_key)


async def claim(*, chat_id: int | None = None, limit: int = 50, now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due messages (one chat's, or anyone's), oldest first."""
    now = now or utcnow()
    query = OutboxMessage.filter(state=OutboxState.PENDING, due_at__lte=now)
    if chat_id is not None:
        query = query.filter(chat_id=chat_id)
    taken = []
    for row in await query.order_by("id").limit(limit):
        if await OutboxMessage.filter(id=row.id, state=OutboxState.PENDING).update(
            state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        ):
            taken.append(await OutboxMessage.get(id=row.id))
    return taken


async def mark_sent(message_id: int, *, now: datetime | None = None) -> None:
    await OutboxMessage.filter(id=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.SENT, sent_at=now or utcnow(), last_error=""
    )


async def mark_retry(message_id: int, error: str, *, delay_s: float, now: datetime | None = None) -> None:
    """Try again after `delay_s`; after MAX_ATTEMPTS the message is failed."""
    now = now or utcnow()
    row = await OutboxMessage.get(id=message_id)
    if row.attempts >= MAX_ATTEMPTS:
        await mark_failed(message_id, error)
        return
    await OutboxMessage.filter(id=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.PENDING, due_at=now + timedelta(seconds=delay_s), last_error=error[:MAX_ERROR_CHARS]
    )


async def mark_failed(message_id: int, error: str) -> None:
    await OutboxMessage.filter(id=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.FAILED, last_error=error[:MAX_ERROR_CHARS]
    )


async def recover_stuck(*, now: datetime | None = None) -> int:
    """Give back messages a crashed sender claimed and never finished."""
    now = now or utcnow()
    return await OutboxMessage.filter(state=OutboxState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        state=OutboxState.PENDING
    )


async def counts() -> OutboxCounts:
    by_state = {state: await OutboxMessage.filter(state=state).count() for state in OutboxState}
    oldest = await OutboxMessage.filter(state=OutboxState.PENDING).order_by("id").first()
    return OutboxCounts(
        pending=by_state[OutboxState.PENDING], sending=by_state[OutboxState.SENDING],
        sent=by_state[OutboxState.SENT], failed=by_state[OutboxState.FAILED],
        oldest_pending_at=oldest.created_at if oldest else None,
    )
