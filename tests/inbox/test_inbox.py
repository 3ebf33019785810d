"""The durable inbox: stored once, handed out in order, leased to one process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import inbox
from core.inbox import InboxState, InboxUpdate

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


async def test_an_update_is_stored_once_however_often_it_comes(db):
    assert await inbox.store([(7, 70, {"update_id": 7, "message": {"text": "hi"}})], now=T0) == 1
    assert await inbox.store([(7, 70, {"update_id": 7, "message": {"text": "again"}})], now=T0) == 0
    [row] = await InboxUpdate.all()
    assert (row.update_id, row.chat_id, row.state) == (7, 70, InboxState.PENDING)
    assert "hi" in row.body


async def test_pending_updates_come_in_update_id_order_without_those_in_flight(db):
    await inbox.store([(3, 1, {"n": 3}), (1, 1, {"n": 1}), (2, 2, {"n": 2})], now=T0)
    assert [r.update_id for r in await inbox.next_pending()] == [1, 2, 3]
    assert [r.update_id for r in await inbox.next_pending(after={1})] == [2, 3]
    await inbox.mark_done(2, now=T0)
    assert [r.update_id for r in await inbox.next_pending()] == [1, 3]
    assert (await inbox.counts()).pending == 2


async def test_an_update_that_crashed_the_process_five_times_is_set_aside(db):
    await inbox.store([(9, 1, {})], now=T0)
    await inbox.store([(10, 1, {})], now=T0)
    for _ in range(inbox.MAX_ATTEMPTS):
        assert await inbox.start_attempts([9]) == {9}
    assert await inbox.start_attempts([9, 10]) == {10}
    assert (await InboxUpdate.get(update_id=9)).state == InboxState.FAILED
    assert [r.update_id for r in await inbox.next_pending()] == [10]


async def test_a_lease_is_held_by_one_process_and_taken_over_when_it_lapses(db):
    assert await inbox.take_lease("bot", "a", 10, now=T0)
    assert not await inbox.take_lease("bot", "b", 10, now=T0 + timedelta(seconds=5))
    assert await inbox.take_lease("bot", "a", 10, now=T0 + timedelta(seconds=5))  # renewed
    assert not await inbox.take_lease("bot", "b", 10, now=T0 + timedelta(seconds=14))
    assert await inbox.take_lease("bot", "b", 10, now=T0 + timedelta(seconds=16))
    assert not await inbox.take_lease("bot", "a", 10, now=T0 + timedelta(seconds=17))
    await inbox.release_lease("bot", "b")
    assert await inbox.take_lease("bot", "a", 10, now=T0 + timedelta(seconds=18))


async def test_handled_updates_are_pruned_after_a_while_pending_ones_never(db):
    await inbox.store([(1, 1, {}), (2, 1, {})], now=T0)
    await inbox.mark_done(1, now=T0)
    assert await inbox.prune(T0 + timedelta(days=3)) == 1
    assert [r.update_id for r in await InboxUpdate.all()] == [2]
