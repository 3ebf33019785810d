"""One open ticket per user, held by the database: racing /support messages (several bot
workers at once) all land in one ticket.

On PostgreSQL the tasks run on a pool of connections, so their transactions overlap in
the server; the UNIQUE open_user_id column decides, and the losers reuse the winner's ticket.
"""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.migrations.api.migrate import migrate

from core import db as database
from core import users
from core.outbox import OutboxMessage
from core.staff import roles, tickets
from core.staff.models import Ticket, TicketState
from tests.conftest import DB_KINDS, POSTGRES_URL, _admin
from tests.market.conftest import T0, pooled, pooled_url  # noqa: F401 - the racing fixtures

USER = 8101
ADMIN = 8100
GROUP = -1009000
RACERS = 12
AT = "'2026-01-01 12:00:00+00:00'"


async def test_racing_support_messages_of_one_user_open_one_ticket(pooled):  # noqa: F811
    await users.sign_up(USER, "Rita", "en", ["consumer"], now=T0)

    async def write(n: int):
        return await tickets.submit(USER, support_chat_id=GROUP, text=f"help {n}", key=f"race:{n}")

    views = await asyncio.gather(*(write(n) for n in range(RACERS)))
    assert len({v.id for v in views}) == 1
    assert await Ticket.filter(user_id=USER).count() == 1
    relayed = await OutboxMessage.filter(kind="ticket_to_staff").order_by("id")
    assert len(relayed) == RACERS and {m.params["ticket"] for m in relayed} == {views[0].id}


async def test_after_closing_the_next_message_opens_a_new_ticket(db):
    await users.sign_up(ADMIN, "Ada", "en", ["consumer"], now=T0)
    await users.sign_up(USER, "Rita", "en", ["consumer"], now=T0)
    await roles.sync_admins([ADMIN], now=T0)
    first = await tickets.submit(USER, support_chat_id=GROUP, text="one", key="m1")
    assert (await tickets.submit(USER, support_chat_id=GROUP, text="two", key="m2")).id == first.id
    await tickets.close(ADMIN, first.id)
    second = await tickets.submit(USER, support_chat_id=GROUP, text="three", key="m3")
    assert second.id != first.id and second.state == TicketState.OPEN
    assert (await tickets.get_ticket(first.id)).state == TicketState.CLOSED
    late = await tickets.answer(ADMIN, first.id, text="(late) all sorted?", key="late", now=T0)
    assert late.state == TicketState.CLOSED  # the user's new ticket stays their open one
    assert (await OutboxMessage.get(chat_id=USER, kind="ticket_reply")).params["text"] == "(late) all sorted?"
    assert [t.id for t in await tickets.open_tickets()] == [second.id]


async def test_the_database_refuses_a_second_open_ticket_and_an_open_mark_on_a_closed_one(db):
    now = T0
    await Ticket.create(user_id=USER, open_user_id=USER, state=TicketState.OPEN, created_at=now, updated_at=now)
    with pytest.raises(IntegrityError):
        await Ticket.create(user_id=USER, open_user_id=USER, state=TicketState.ANSWERED, created_at=now,
                            updated_at=now)
    with pytest.raises((IntegrityError, OperationalError)):  # the CHECK: closed means no open mark
        await Ticket.create(user_id=USER + 1, open_user_id=USER + 1, state=TicketState.CLOSED, created_at=now,
                            updated_at=now)
    with pytest.raises((IntegrityError, OperationalError)):  # open means marked with its own user
        await Ticket.create(user_id=USER + 2, open_user_id=None, state=TicketState.OPEN, created_at=now,
                            updated_at=now)
    for _ in range(2):  # closed tickets of one user: as many as they like
        await Ticket.create(user_id=USER, open_user_id=None, state=TicketState.CLOSED, created_at=now, updated_at=now)


@pytest.fixture(params=DB_KINDS)
def empty_url(request, tmp_path):
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'old.sqlite3'}"
        return
    name = f"cccp_tickets_{secrets.token_hex(4)}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _tickets_before_0010(url: str) -> None:
    """Tickets as a race left them before 0010: two of Rita's open, one closed; one of Sam's answered."""
    try:
        await migrate(config=database.tortoise_config(url), target="models.0009_codes")
        conn = Tortoise.get_connection("default")
        for user_id, state in ((USER, "closed"), (USER, "open"), (USER, "answered"), (USER + 1, "answered")):
            await conn.execute_script(
                "INSERT INTO staff_ticket (user_id, state, created_at, updated_at) "
                f"VALUES ({user_id}, '{state}', {AT}, {AT})")
    finally:
        await Tortoise.close_connections()


async def _tickets_after(url: str) -> list[tuple[int, int, str, int | None]]:
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(url))
        return [(t.id, t.user_id, t.state, t.open_user_id) for t in await Ticket.all().order_by("id")]


@pytest.mark.slow  # every migration from nothing, on each engine (~40 s apiece here)
def test_the_upgrade_keeps_each_users_newest_open_ticket_and_closes_an_older_twin(empty_url):
    asyncio.run(_tickets_before_0010(empty_url))
    asyncio.run(database.upgrade(empty_url))
    assert asyncio.run(_tickets_after(empty_url)) == [
        (1, USER, "closed", None), (2, USER, "closed", None), (3, USER, "answered", USER),
        (4, USER + 1, "answered", USER + 1)]
