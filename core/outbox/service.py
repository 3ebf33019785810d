"""Writing messages in the cause's transaction, and claiming them for a sender.

`enqueue` is called inside the transaction of the event (it uses whatever
transaction is open). A sender `claim`s due rows (pending -> sending with a
conditional UPDATE, so two senders never take the same row), sends each, then
`mark_sent` — or `mark_retry` / `mark_failed` / `mark_skipped`.

The paced sender (bot/outbox.py) claims through `claim_turns` instead: due rows are
selected `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite runs one sender), and a row is
only taken together with its chat's turn (the chat's OutboxPace row, moved into the
future by a conditional UPDATE), so no two senders ever write to one chat at once and
a chat's messages keep their order. `take_slot` hands out the overall rate's slots
from row 0 (compare-and-set), `pause` records a 429's retry_after, `release_turn`
says when the chat may get its next message. All of it is in the database, so
every sender process sees the same pacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.transactions import in_transaction

from core.clock import utcnow
from core.outbox.models import OutboxMessage, OutboxPace, OutboxState, Topic

CLAIM_TIMEOUT = timedelta(minutes=2)
EVERYONE = 0  # OutboxPace row of the bot as a whole (no Telegram chat has id 0)
MAX_ATTEMPTS = 8
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sending: int
    sent: int
    failed: int
    oldest_pending_at: datetime | None
    skipped: int = 0
    rate_limited: int = 0  # 429 answers seen by every sender (all time)


async def enqueue(
    chat_id: int, kind: str, params: dict, *, dedup_key: str, now: datetime | None = None,
    due_at: datetime | None = None, topic: Topic | None = None,
) -> None:
    """One message for `chat_id`; the same dedup_key again adds nothing.

    `topic` says what a notification is about, so a person who muted it is spared;
    leave it None for what must always arrive (a receipt, a refund, a staff reply)."""
    now = now or utcnow()
    # ON CONFLICT DO NOTHING: a twin's dedup_key is no error that would abort the caller's
    # transaction on PostgreSQL, so no savepoint is needed (two round trips fewer).
    await OutboxMessage.bulk_create([OutboxMessage(
        chat_id=chat_id, kind=kind, params=params, dedup_key=dedup_key, topic=topic,
        state=OutboxState.PENDING, created_at=now, due_at=due_at or now,
    )], ignore_conflicts=True)


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


async def mark_retry(
    message_id: int, error: str, *, delay_s: float, now: datetime | None = None, counts_attempt: bool = True,
) -> bool:
    """Try again after `delay_s`; after MAX_ATTEMPTS the message is failed (returns False).
    A 429 does not count as an attempt (`counts_attempt=False`): Telegram only asked to wait."""
    now = now or utcnow()
    row = await OutboxMessage.get(id=message_id)
    if counts_attempt and row.attempts >= MAX_ATTEMPTS:
        await mark_failed(message_id, error)
        return False
    await OutboxMessage.filter(id=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.PENDING, due_at=now + timedelta(seconds=delay_s), last_error=error[:MAX_ERROR_CHARS],
        attempts=row.attempts if counts_attempt else max(0, row.attempts - 1),
    )
    return True


async def mark_skipped(message_id: int, reason: str) -> None:
    """Not sent on purpose (a muted topic, a recipient who blocked the bot)."""
    await OutboxMessage.filter(id=message_id, state__in=(OutboxState.SENDING, OutboxState.PENDING)).update(
        state=OutboxState.SKIPPED, last_error=reason[:MAX_ERROR_CHARS]
    )


async def skip_chat(chat_id: int, reason: str) -> int:
    """Everything still waiting for `chat_id` is skipped (they blocked the bot)."""
    return await OutboxMessage.filter(chat_id=chat_id, state=OutboxState.PENDING).update(
        state=OutboxState.SKIPPED, last_error=reason[:MAX_ERROR_CHARS]
    )


async def mark_failed(message_id: int, error: str) -> None:
    await OutboxMessage.filter(id=message_id, state=OutboxState.SENDING).update(
        state=OutboxState.FAILED, last_error=error[:MAX_ERROR_CHARS]
    )


async def recover_stuck(*, now: datetime | None = None, stuck_after: timedelta = CLAIM_TIMEOUT) -> int:
    """Give back messages a crashed sender claimed and never finished (their chat's
    turn ran out at the same moment: it was taken for `timeout` too)."""
    now = now or utcnow()
    return await OutboxMessage.filter(state=OutboxState.SENDING, claimed_at__lt=now - stuck_after).update(
        state=OutboxState.PENDING
    )


async def counts() -> OutboxCounts:
    by_state = {state: await OutboxMessage.filter(state=state).count() for state in OutboxState}
    oldest = await OutboxMessage.filter(state=OutboxState.PENDING).order_by("id").first()
    everyone = await OutboxPace.get_or_none(chat_id=EVERYONE)
    return OutboxCounts(
        pending=by_state[OutboxState.PENDING], sending=by_state[OutboxState.SENDING],
        sent=by_state[OutboxState.SENT], failed=by_state[OutboxState.FAILED],
        oldest_pending_at=oldest.created_at if oldest else None,
        skipped=by_state[OutboxState.SKIPPED], rate_limited=everyone.rate_limited if everyone else 0,
    )


# ---- pacing shared by all sender processes (OutboxPace) ------------------------------------

async def _pace_row(chat_id: int, now: datetime) -> OutboxPace:
    if (row := await OutboxPace.get_or_none(chat_id=chat_id)) is not None:
        return row
    try:
        async with in_transaction():  # a savepoint: a twin's insert must not abort the caller
            return await OutboxPace.create(chat_id=chat_id, next_at=now)
    except IntegrityError:
        return await OutboxPace.get(chat_id=chat_id)


def _free(now: datetime, *, burst: bool = False) -> Q:
    free = (Q(busy_until__isnull=True) | Q(busy_until__lte=now)) & (
        Q(paused_until__isnull=True) | Q(paused_until__lte=now))
    return free if burst else free & Q(next_at__lte=now)


async def claim_turns(
    *, now: datetime, limit: int, lease: timedelta = CLAIM_TIMEOUT, chat_id: int | None = None,
    burst: bool = False,
) -> list[OutboxMessage]:
    """Claim the oldest due message of up to `limit` chats whose turn it is, taking each
    chat's turn for `lease` (until `release_turn`); oldest first. `burst` (one chat's
    messages sent as the reply to its own update) ignores the chat's spacing, not its
    429 pause nor another sender's turn."""
    busy = OutboxPace.filter(~_free(now, burst=burst)).values("chat_id")
    taken: list[OutboxMessage] = []
    async with in_transaction():
        query = OutboxMessage.filter(state=OutboxState.PENDING, due_at__lte=now)
        if chat_id is not None:
            query = query.filter(chat_id=chat_id)
        rows = await (
            query.filter(chat_id__not_in=Subquery(busy)).order_by("id").limit(limit * 4)
            .select_for_update(skip_locked=True).only("id", "chat_id")
        )
        mine: dict[int, int] = {}  # chat -> the lowest row of it this transaction locked
        for row in rows:
            mine.setdefault(row.chat_id, row.id)
        # The chats of the oldest rows, taken in ascending chat order: two senders lock pace
        # rows in one order, so they may wait for each other but never deadlock.
        for chat in sorted(list(mine)[:limit]):
            lowest = await OutboxMessage.filter(chat_id=chat, state=OutboxState.PENDING, due_at__lte=now).order_by(
                "id").first()
            if lowest is None or lowest.id != mine[chat]:
                continue  # another sender locked this chat's older message: it goes first, from there
            await _pace_row(chat, now)
            if not await OutboxPace.filter(_free(now, burst=burst), chat_id=chat).update(busy_until=now + lease):
                continue  # another sender has this chat's turn
            if not await OutboxMessage.filter(id=lowest.id, state=OutboxState.PENDING).update(
                state=OutboxState.SENDING, claimed_at=now, attempts=F("attempts") + 1
            ):
                await OutboxPace.filter(chat_id=chat).update(busy_until=None)
                continue
            lowest.state, lowest.claimed_at, lowest.attempts = OutboxState.SENDING, now, lowest.attempts + 1
            taken.append(lowest)
    taken.sort(key=lambda m: m.id)
    return taken


async def release_turn(chat_id: int, *, next_at: datetime, sent_at: datetime | None = None) -> None:
    """The chat's message is done: it may get the next one at `next_at`."""
    changes: dict = {"next_at": next_at, "busy_until": None}
    if sent_at is not None:
        changes["last_sent_at"] = sent_at
    await OutboxPace.filter(chat_id=chat_id).update(**changes)


async def last_sent_at(chat_id: int) -> datetime | None:
    row = await OutboxPace.get_or_none(chat_id=chat_id)
    return row.last_sent_at if row else None


async def take_slot(*, now: datetime, interval: timedelta) -> float:
    """One slot of the overall rate: 0.0 when the caller may send now, else the seconds to
    wait (the next free slot, or a pause for everyone) before asking again."""
    for _ in range(50):
        row = await _pace_row(EVERYONE, now)
        if row.paused_until is not None and row.paused_until > now:
            return (row.paused_until - now).total_seconds()
        if row.next_at > now:
            return (row.next_at - now).total_seconds()
        if await OutboxPace.filter(chat_id=EVERYONE, version=row.version).update(
            next_at=now + interval, version=row.version + 1
        ):
            return 0.0
    return interval.total_seconds()  # heavy contention: try again a slot later


async def pause(chat_id: int, *, until: datetime, now: datetime, everyone_within: timedelta) -> bool:
    """A 429 for `chat_id`: nothing more to it before `until`; counts the 429. When another
    chat had a 429 less than `everyone_within` ago, the bot as a whole is over Telegram's
    limit: everyone waits until `until` (returns True then)."""
    everyone = await _pace_row(EVERYONE, now)
    is_everyone = (
        everyone.last_sent_at is not None and everyone.last_limited_chat not in (None, chat_id)
        and now - everyone.last_sent_at < everyone_within
    )
    changes: dict = {"rate_limited": F("rate_limited") + 1, "last_sent_at": now, "last_limited_chat": chat_id}
    if is_everyone:
        changes["paused_until"] = until
    await OutboxPace.filter(chat_id=EVERYONE).update(**changes)
    await _pace_row(chat_id, now)
    await OutboxPace.filter(chat_id=chat_id).update(paused_until=until, busy_until=None)
    return is_everyone
