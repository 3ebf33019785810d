"""Support tickets: a user writes to staff, staff answer from the support group.

A ticket belongs to one user; the user's next /support message continues their
ticket until staff close it. What the user writes goes to the SUPPORT_CHAT_ID
group through the outbox (the bot puts it in the ticket's forum topic when the
group is a forum it may manage, else as a message under a short user card);
every message of the ticket in the group is recorded (chat id, message id), so a
staff reply in the topic or to any of them finds the ticket. Numeric ids only,
never usernames. States: open (the user wrote last), answered, closed.

A user has one ticket that is not closed, at most, and the database holds that
rule: `open_user_id` is UNIQUE and set until the ticket closes. Two /support
messages handled at once (two bot workers) race to create it; the loser's
INSERT fails and it writes to the winner's ticket instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import outbox
from core.clock import utcnow
from core.staff import audit
from core.staff.errors import UnknownTicket
from core.staff.models import Ticket, TicketMessage, TicketState
from core.staff.roles import Level, require

MAX_TEXT_CHARS = 3500


@dataclass(frozen=True)
class TicketView:
    id: int
    user_id: int
    state: TicketState
    chat_id: int | None
    thread_id: int | None
    created_at: datetime
    updated_at: datetime


def _view(row: Ticket) -> TicketView:
    return TicketView(row.id, row.user_id, TicketState(row.state), row.chat_id, row.thread_id,
                      row.created_at, row.updated_at)


def _content(text: str | None, file_id: str | None, media: str | None) -> dict:
    return {"text": (text or "")[:MAX_TEXT_CHARS], "file_id": file_id, "media": media}


async def submit(user_id: int, *, support_chat_id: int, text: str | None, file_id: str | None = None,
                 media: str | None = None, key: str, now: datetime | None = None) -> TicketView:
    """The user's message to staff: their open ticket (or a new one), relayed via the outbox."""
    now = now or utcnow()
    async with in_transaction():
        row = await Ticket.get_or_none(open_user_id=user_id)
        if row is None:
            row = await _open(user_id, support_chat_id, now)
        else:
            await Ticket.filter(id=row.id).update(state=TicketState.OPEN, updated_at=now)
        await outbox.enqueue(support_chat_id, "ticket_to_staff",
                             {"ticket": row.id, "user": user_id, **_content(text, file_id, media)},
                             dedup_key=f"ticket-in:{key}", now=now)
    return _view(await Ticket.get(id=row.id))


async def _open(user_id: int, support_chat_id: int, now: datetime) -> Ticket:
    """A new ticket, or the one another process opened for this user a moment ago."""
    try:
        # A savepoint: the twin's UNIQUE violation must not abort the caller's transaction.
        async with in_transaction():
            return await Ticket.create(user_id=user_id, open_user_id=user_id, state=TicketState.OPEN,
                                       chat_id=support_chat_id, created_at=now, updated_at=now)
    except IntegrityError:
        # On PostgreSQL our INSERT waited for the winner's commit, so this read sees its row.
        return await Ticket.get(open_user_id=user_id)


async def get_ticket(ticket_id: int) -> TicketView:
    row = await Ticket.get_or_none(id=ticket_id)
    if row is None:
        raise UnknownTicket(ticket=ticket_id)
    return _view(row)


async def set_thread(ticket_id: int, chat_id: int, thread_id: int) -> None:
    """The forum topic the bot opened for this ticket."""
    await Ticket.filter(id=ticket_id, thread_id=None).update(chat_id=chat_id, thread_id=thread_id)


async def record_relay(ticket_id: int, chat_id: int, message_id: int, *, is_from_user: bool,
                       now: datetime | None = None) -> None:
    """A message of this ticket now stands in the support group (a reply to it finds the ticket)."""
    try:
        await TicketMessage.create(ticket_id=ticket_id, chat_id=chat_id, message_id=message_id,
                                   is_from_user=is_from_user, created_at=now or utcnow())
    except IntegrityError:
        pass  # recorded before (the renderer ran again after a crash)


async def ticket_in_group(chat_id: int, *, thread_id: int | None, reply_to_message_id: int | None) -> TicketView | None:
    """The ticket a staff message in the support group belongs to, if any."""
    if reply_to_message_id is not None:
        relay = await TicketMessage.get_or_none(chat_id=chat_id, message_id=reply_to_message_id)
        if relay is not None:
            return await get_ticket(relay.ticket_id)
    if thread_id is not None:
        row = await Ticket.filter(chat_id=chat_id, thread_id=thread_id).order_by("-id").first()
        if row is not None:
            return _view(row)
    return None


async def answer(staff_id: int, ticket_id: int, *, text: str | None, file_id: str | None = None,
                 media: str | None = None, key: str, now: datetime | None = None) -> TicketView:
    """A staff reply: to the user through the outbox; the ticket is answered (audited).

    A late reply in a closed ticket's topic still reaches the user, and the ticket stays
    closed: the user may have opened another one since (one open ticket per user)."""
    await require(staff_id, Level.SUPPORT, action="ticket_reply", now=now)
    now = now or utcnow()
    async with in_transaction():
        row = await Ticket.get_or_none(id=ticket_id)
        if row is None:
            raise UnknownTicket(ticket=ticket_id)
        state = TicketState.CLOSED if row.state == TicketState.CLOSED else TicketState.ANSWERED
        await Ticket.filter(id=row.id).update(state=state, updated_at=now)
        await outbox.enqueue(row.user_id, "ticket_reply", {"ticket": row.id, **_content(text, file_id, media)},
                             dedup_key=f"ticket-out:{key}", now=now)
        await audit.record(staff_id, "ticket_reply", target_user_id=row.user_id, target=f"ticket {row.id}",
                           before={"state": row.state}, after={"state": state.value}, now=now)
    return await get_ticket(ticket_id)


async def close(staff_id: int, ticket_id: int, *, now: datetime | None = None) -> TicketView:
    await require(staff_id, Level.SUPPORT, action="ticket_close", now=now)
    now = now or utcnow()
    async with in_transaction():
        row = await Ticket.get_or_none(id=ticket_id)
        if row is None:
            raise UnknownTicket(ticket=ticket_id)
        if row.state != TicketState.CLOSED:
            await Ticket.filter(id=row.id).update(state=TicketState.CLOSED, open_user_id=None, updated_at=now)
            await outbox.enqueue(row.user_id, "ticket_closed", {"ticket": row.id},
                                 dedup_key=f"ticket-closed:{row.id}", now=now)
            await audit.record(staff_id, "ticket_close", target_user_id=row.user_id, target=f"ticket {row.id}",
                               before={"state": row.state}, after={"state": TicketState.CLOSED.value}, now=now)
    return await get_ticket(ticket_id)


async def open_tickets(*, limit: int = 20) -> list[TicketView]:
    rows = await Ticket.filter(state__in=(TicketState.OPEN, TicketState.ANSWERED)).order_by("updated_at").limit(limit)
    return [_view(r) for r in rows]


async def tickets_of(user_id: int, *, limit: int = 5) -> list[TicketView]:
    return [_view(r) for r in await Ticket.filter(user_id=user_id).order_by("-id").limit(limit)]
