"""Holds: reserve part of a balance until it is posted, voided or expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import ledger
from core.ledger import HoldAction, HoldStatus, Leg
from core.ledger.errors import (
    AccountFrozen,
    AssetMismatch,
    HoldExceeded,
    HoldExpired,
    HoldNotPending,
    InsufficientFunds,
    KeyConflict,
    NonPositiveAmount,
    SameAccount,
    UnknownAccount,
    UnknownHold,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


async def test_a_hold_leaves_the_balance_and_lowers_what_is_available(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer", memo="sell 40 kg")
    account = await ledger.get_account(book.alice)
    assert (account.balance, account.held, account.available) == (100, 40, 60)
    assert (held.amount, held.remaining, held.status) == (40, 40, HoldStatus.PENDING)
    assert await ledger.get_hold(held.id) == held


async def test_holding_more_than_is_available_is_refused(book):
    await book.fund(book.alice, 100)
    await ledger.hold("offer:1", book.alice, 70, "offer")
    with pytest.raises(InsufficientFunds) as refused:
        await ledger.hold("offer:2", book.alice, 31, "offer")
    assert refused.value.params == {"account_id": book.alice, "available": 30, "requested": 31}
    assert await book.balance(book.alice) == (100, 70)
    assert (await book.rows())[2] == 1


async def test_a_posting_cannot_spend_what_a_hold_reserves(book):
    await book.fund(book.alice, 100)
    await ledger.hold("offer:1", book.alice, 70, "offer")
    with pytest.raises(InsufficientFunds):
        await ledger.post("spend", "transfer", [Leg(book.alice, book.bob, 31)])
    await ledger.post("spend", "transfer", [Leg(book.alice, book.bob, 30)])
    assert await book.balance(book.alice) == (70, 70)


async def test_a_hold_refuses_the_same_inputs_a_posting_refuses(book):
    await book.fund(book.alice, 100)
    for amount in (0, -1, True):
        with pytest.raises(NonPositiveAmount):
            await ledger.hold(f"h:{amount}", book.alice, amount, "offer")
    with pytest.raises(UnknownAccount):
        await ledger.hold("h:unknown", 999, 1, "offer")
    await ledger.set_frozen(book.alice, True)
    with pytest.raises(AccountFrozen):
        await ledger.hold("h:frozen", book.alice, 1, "offer")
    assert await book.balance(book.alice) == (100, 0)
    assert (await book.rows())[2] == 0


async def test_replaying_a_hold_returns_it_and_other_content_conflicts(book):
    await book.fund(book.alice, 100)
    first = await ledger.hold("offer:1", book.alice, 40, "offer")
    assert (await ledger.hold("offer:1", book.alice, 40, "offer")).id == first.id
    with pytest.raises(KeyConflict):
        await ledger.hold("offer:1", book.alice, 41, "offer")
    assert await book.balance(book.alice) == (100, 40)


async def test_posting_a_hold_fully_moves_what_it_reserved(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    posting = await ledger.post_hold("fill:1", held.id, book.bob)
    assert await book.balance(book.alice) == (60, 0)
    assert await book.balance(book.bob) == (40, 0)
    assert [(t.amount, t.hold_id) for t in posting.transfers] == [(40, held.id)]
    assert (await ledger.get_hold(held.id)).status == HoldStatus.POSTED


async def test_posting_part_of_a_hold_and_releasing_the_rest(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.post_hold("fill:1", held.id, book.bob, amount=15, release_rest=True)
    assert await book.balance(book.alice) == (85, 0)
    assert await book.balance(book.bob) == (15, 0)
    after = await ledger.get_hold(held.id)
    assert (after.status, after.remaining) == (HoldStatus.POSTED, 0)
    with pytest.raises(HoldNotPending):
        await ledger.post_hold("fill:2", held.id, book.bob, amount=1)


async def test_posting_part_of_a_hold_can_keep_the_rest_pending(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.post_hold("fill:1", held.id, book.bob, amount=15, release_rest=False)
    assert await book.balance(book.alice) == (85, 25)
    after = await ledger.get_hold(held.id)
    assert (after.status, after.remaining) == (HoldStatus.PENDING, 25)
    await ledger.post_hold("fill:2", held.id, book.carol, amount=25, release_rest=False)
    assert await book.balance(book.alice) == (60, 0)
    assert await book.balance(book.carol) == (25, 0)
    assert (await ledger.get_hold(held.id)).status == HoldStatus.POSTED


async def test_posting_more_than_a_hold_still_reserves_is_refused(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.post_hold("fill:1", held.id, book.bob, amount=30, release_rest=False)
    rows = await book.rows()
    with pytest.raises(HoldExceeded) as refused:
        await ledger.post_hold("fill:2", held.id, book.bob, amount=11)
    assert refused.value.params == {"hold_id": held.id, "remaining": 10, "requested": 11}
    assert await book.balance(book.alice) == (70, 10)
    assert await book.rows() == rows


async def test_posting_a_hold_refuses_a_bad_credit_account(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    euros = await ledger.user_account(2, "EUR")
    rows = await book.rows()
    with pytest.raises(SameAccount):
        await ledger.post_hold("fill:1", held.id, book.alice)
    with pytest.raises(AssetMismatch):
        await ledger.post_hold("fill:2", held.id, euros.id)
    with pytest.raises(UnknownAccount):
        await ledger.post_hold("fill:3", held.id, 999)
    with pytest.raises(NonPositiveAmount):
        await ledger.post_hold("fill:4", held.id, book.bob, amount=0)
    with pytest.raises(UnknownHold):
        await ledger.post_hold("fill:5", 999, book.bob)
    await ledger.set_frozen(book.bob, True)
    with pytest.raises(AccountFrozen):
        await ledger.post_hold("fill:6", held.id, book.bob)
    assert await book.rows() == rows
    assert await book.balance(book.alice) == (100, 40)
    assert (await ledger.get_hold(held.id)).status == HoldStatus.PENDING


async def test_replaying_a_hold_posting_moves_nothing_more(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    first = await ledger.post_hold("fill:1", held.id, book.bob, amount=10, release_rest=False)
    again = await ledger.post_hold("fill:1", held.id, book.bob, amount=10, release_rest=False)
    assert again.id == first.id
    assert await book.balance(book.alice) == (90, 30)
    with pytest.raises(KeyConflict):
        await ledger.post_hold("fill:1", held.id, book.bob, amount=11, release_rest=False)


async def test_voiding_a_hold_gives_the_whole_reserve_back(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    void = await ledger.void_hold("cancel:1", held.id)
    assert await book.balance(book.alice) == (100, 0)
    assert void.transfers == ()
    assert (await ledger.get_hold(held.id)).status == HoldStatus.VOIDED
    assert (await ledger.void_hold("cancel:1", held.id)).id == void.id  # a replay
    assert await book.balance(book.alice) == (100, 0)


async def test_a_voided_hold_can_be_neither_posted_nor_voided_again(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.void_hold("cancel:1", held.id)
    rows = await book.rows()
    with pytest.raises(HoldNotPending) as refused:
        await ledger.post_hold("fill:1", held.id, book.bob)
    assert refused.value.code == "hold_not_pending"
    with pytest.raises(HoldNotPending):
        await ledger.void_hold("cancel:2", held.id)
    with pytest.raises(UnknownHold):
        await ledger.void_hold("cancel:3", 999)
    assert await book.rows() == rows
    assert await book.balance(book.bob) == (0, 0)


async def test_voiding_what_is_left_of_a_partly_posted_hold(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.post_hold("fill:1", held.id, book.bob, amount=15, release_rest=False)
    void = await ledger.void_hold("cancel:1", held.id)
    assert void.metadata == {"hold_id": held.id, "released": 25}
    assert await book.balance(book.alice) == (85, 0)


async def test_a_frozen_account_still_gets_its_hold_back_when_voided(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.set_frozen(book.alice, True)
    with pytest.raises(AccountFrozen):
        await ledger.post_hold("fill:1", held.id, book.bob)
    await ledger.void_hold("cancel:1", held.id)
    assert await book.balance(book.alice) == (100, 0)


async def test_an_expired_hold_cannot_be_posted(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold(
        "pay:1", book.alice, 40, "purchase", expires_at=NOW + timedelta(minutes=15), now=NOW
    )
    await ledger.post_hold("fill:1", held.id, book.bob, amount=1, release_rest=False,
                           now=NOW + timedelta(minutes=14, seconds=59))
    with pytest.raises(HoldExpired) as refused:
        await ledger.post_hold("fill:2", held.id, book.bob, now=NOW + timedelta(minutes=15))
    assert refused.value.code == "hold_expired"
    assert await book.balance(book.alice) == (99, 39)


async def test_expiring_holds_releases_only_those_that_are_due(book):
    await book.fund(book.alice, 100)
    due = await ledger.hold("h:due", book.alice, 10, "purchase", expires_at=NOW, now=NOW)
    late = await ledger.hold("h:late", book.alice, 20, "purchase", expires_at=NOW + timedelta(seconds=1))
    forever = await ledger.hold("h:forever", book.alice, 30, "offer")
    posted = await ledger.hold("h:posted", book.alice, 5, "purchase", expires_at=NOW - timedelta(hours=1))
    await ledger.post_hold("fill", posted.id, book.bob, now=NOW - timedelta(hours=2))

    assert await ledger.expire_holds(NOW) == [due.id]
    assert await book.balance(book.alice) == (95, 50)
    statuses = [(await ledger.get_hold(h.id)).status for h in (due, late, forever, posted)]
    assert statuses == [HoldStatus.EXPIRED, HoldStatus.PENDING, HoldStatus.PENDING, HoldStatus.POSTED]
    assert await ledger.expire_holds(NOW) == []  # nothing twice

    assert await ledger.expire_holds(NOW + timedelta(days=365)) == [late.id]
    assert await book.balance(book.alice) == (95, 30)
    with pytest.raises(HoldNotPending):
        await ledger.post_hold("fill:late", late.id, book.bob, now=NOW)


async def test_a_hold_posted_in_parts_then_voided_is_a_row_per_part_and_for_the_void(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 60, "offer", now=NOW)
    first = await ledger.post_hold("fill:1", held.id, book.bob, amount=15, release_rest=False, now=NOW)
    second = await ledger.post_hold("fill:2", held.id, book.carol, amount=20, release_rest=False, now=NOW)
    void = await ledger.void_hold("cancel:1", held.id, now=NOW + timedelta(minutes=1))

    steps = await ledger.hold_history(held.id)
    assert [(s.action, s.posted, s.released, s.posting_id) for s in steps] == [
        (HoldAction.POST, 15, 0, first.id),
        (HoldAction.POST, 20, 0, second.id),
        (HoldAction.VOID, 0, 25, void.id),
    ]
    assert steps[-1].created_at == NOW + timedelta(minutes=1)
    entries = (await ledger.history([book.alice])).entries
    assert [(e.amount, e.hold_id, e.kind) for e in entries] == [
        (-20, held.id, "post_hold"),  # each part is a movement of its own
        (-15, held.id, "post_hold"),
        (100, None, "issuance"),
    ]
    after = await ledger.get_hold(held.id)
    assert (after.status, after.remaining) == (HoldStatus.VOIDED, 0)
    assert await book.balance(book.alice) == (65, 0)


async def test_the_post_that_closes_a_hold_records_what_it_released(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    await ledger.post_hold("fill:1", held.id, book.bob, amount=10, release_rest=False)
    await ledger.post_hold("fill:2", held.id, book.bob, amount=5)  # releases the other 25
    assert [(s.action, s.posted, s.released) for s in await ledger.hold_history(held.id)] == [
        (HoldAction.POST, 10, 0),
        (HoldAction.POST, 5, 25),
    ]
    assert (await ledger.get_hold(held.id)).status == HoldStatus.POSTED


async def test_an_expiry_is_a_row_of_its_own(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("pay:1", book.alice, 10, "purchase", expires_at=NOW, now=NOW)
    assert await ledger.expire_holds(NOW) == [held.id]
    (step,) = await ledger.hold_history(held.id)
    assert (step.action, step.posted, step.released) == (HoldAction.EXPIRE, 0, 10)
    assert await ledger.hold_history((await ledger.hold("h", book.alice, 1, "offer")).id) == ()
    with pytest.raises(UnknownHold):
        await ledger.hold_history(999)
