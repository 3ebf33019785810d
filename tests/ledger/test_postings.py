"""`post`: every leg or none, every refusal typed, every key used once."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from core import ledger
from core.ledger import Leg
from core.ledger.errors import (
    AccountFrozen,
    AmountTooLarge,
    AssetMismatch,
    InsufficientFunds,
    KeyConflict,
    NonPositiveAmount,
    SameAccount,
    UnknownAccount,
)
from core.ledger.hooks import Movement, MovementKind, Party
from core.ledger.models import Posting


async def test_a_posting_with_several_legs_moves_every_leg(book):
    await book.fund(book.alice, 1000)
    posting = await ledger.post(
        "trade:1",
        "transfer",
        [Leg(book.alice, book.bob, 600), Leg(book.alice, book.carol, 300), Leg(book.bob, book.carol, 100)],
        memo="a trade",
        metadata={"offer": 5},
    )
    assert await book.balance(book.alice) == (100, 0)
    assert await book.balance(book.bob) == (500, 0)
    assert await book.balance(book.carol) == (400, 0)
    assert [(t.debit_account_id, t.credit_account_id, t.amount) for t in posting.transfers] == [
        (book.alice, book.bob, 600),
        (book.alice, book.carol, 300),
        (book.bob, book.carol, 100),
    ]
    assert (posting.kind, posting.memo, posting.metadata) == ("transfer", "a trade", {"offer": 5})
    assert all(t.asset == ledger.CARBON for t in posting.transfers)


async def test_a_leg_may_spend_what_an_earlier_leg_of_the_same_posting_brought(book):
    await ledger.post("relay", "transfer", [Leg(book.issuance, book.alice, 50), Leg(book.alice, book.bob, 50)])
    assert await book.balance(book.alice) == (0, 0)
    assert await book.balance(book.bob) == (50, 0)


async def test_a_failing_leg_leaves_nothing_written(book):
    await book.fund(book.alice, 100)
    before = await book.rows()
    with pytest.raises(InsufficientFunds):
        await ledger.post(
            "trade:2", "transfer", [Leg(book.alice, book.bob, 60), Leg(book.carol, book.bob, 1)]
        )
    assert await book.balance(book.alice) == (100, 0)
    assert await book.balance(book.bob) == (0, 0)
    assert await book.balance(book.carol) == (0, 0)
    assert await book.rows() == before
    assert await ledger.get_posting("trade:2") is None


async def test_spending_more_than_the_balance_is_refused_as_insufficient_funds(book):
    await book.fund(book.alice, 100)
    with pytest.raises(InsufficientFunds) as refused:
        await ledger.post("spend", "transfer", [Leg(book.alice, book.bob, 101)])
    assert refused.value.code == "insufficient_funds"
    assert refused.value.params == {"account_id": book.alice, "available": 100, "requested": 101}
    assert await book.balance(book.alice) == (100, 0)


async def test_two_legs_that_together_overdraw_are_refused(book):
    await book.fund(book.alice, 100)
    with pytest.raises(InsufficientFunds):
        await ledger.post("spend", "transfer", [Leg(book.alice, book.bob, 60), Leg(book.alice, book.carol, 60)])
    assert await book.balance(book.alice) == (100, 0)


async def test_spending_exactly_the_balance_leaves_zero(book):
    await book.fund(book.alice, 100)
    await ledger.post("spend", "transfer", [Leg(book.alice, book.bob, 100)])
    assert await book.balance(book.alice) == (0, 0)


@pytest.mark.parametrize("side", ["debit", "credit"])
async def test_a_frozen_account_neither_sends_nor_receives(book, side):
    await book.fund(book.alice, 100)
    frozen = book.alice if side == "debit" else book.bob
    await ledger.set_frozen(frozen, True)
    before = await book.rows()
    with pytest.raises(AccountFrozen) as refused:
        await ledger.post("move", "transfer", [Leg(book.alice, book.bob, 10)])
    assert refused.value.code == "account_frozen"
    assert refused.value.params == {"account_id": frozen}
    assert await book.balance(book.alice) == (100, 0)
    assert await book.balance(book.bob) == (0, 0)
    assert await book.rows() == before


@pytest.mark.parametrize("side", ["debit", "credit"])
async def test_an_unknown_account_is_refused_and_nothing_moves(book, side):
    await book.fund(book.alice, 100)
    legs = [Leg(book.alice, 999, 10)] if side == "credit" else [Leg(999, book.alice, 10)]
    before = await book.rows()
    with pytest.raises(UnknownAccount) as refused:
        await ledger.post("move", "transfer", [Leg(book.alice, book.bob, 5), *legs])
    assert refused.value.code == "unknown_account"
    assert refused.value.params == {"account_id": 999}
    assert await book.balance(book.alice) == (100, 0)
    assert await book.rows() == before


async def test_moving_between_accounts_of_different_assets_is_refused(book):
    await book.fund(book.alice, 100)
    euros = await ledger.user_account(2, "EUR")
    before = await book.rows()
    with pytest.raises(AssetMismatch) as refused:
        await ledger.post("move", "transfer", [Leg(book.alice, euros.id, 10)])
    assert refused.value.code == "asset_mismatch"
    assert refused.value.params == {"debit_asset": "carbon", "credit_asset": "EUR"}
    assert await book.rows() == before


async def test_moving_from_an_account_to_itself_is_refused(book):
    await book.fund(book.alice, 100)
    with pytest.raises(SameAccount) as refused:
        await ledger.post("move", "transfer", [Leg(book.alice, book.alice, 10)])
    assert refused.value.code == "same_account"
    assert await book.balance(book.alice) == (100, 0)


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "5", None])
async def test_an_amount_that_is_not_a_positive_integer_is_refused(book, amount):
    await book.fund(book.alice, 100)
    before = await book.rows()
    with pytest.raises(NonPositiveAmount) as refused:
        await ledger.post("move", "transfer", [Leg(book.alice, book.bob, amount)])
    assert refused.value.code == "non_positive_amount"
    assert await book.balance(book.alice) == (100, 0)
    assert await book.rows() == before


async def test_a_posting_without_legs_is_refused(book):
    with pytest.raises(NonPositiveAmount):
        await ledger.post("empty", "transfer", [])
    assert await book.rows() == (0, 0, 0)


async def test_an_amount_too_big_for_the_database_is_refused_before_it_is_written(book):
    with pytest.raises(AmountTooLarge):
        await ledger.post("huge", "issuance", [Leg(book.issuance, book.alice, 2**63)])
    assert await book.rows() == (0, 0, 0)


async def test_replaying_a_key_with_the_same_content_returns_the_first_posting(book):
    await book.fund(book.alice, 100)
    legs = [Leg(book.alice, book.bob, 30)]
    first = await ledger.post("buy:41", "purchase", legs, memo="m", metadata={"a": 1})
    rows = await book.rows()
    again = await ledger.post("buy:41", "purchase", legs, memo="m", metadata={"a": 1})
    assert again.id == first.id
    assert again.transfers == first.transfers
    assert await book.balance(book.alice) == (70, 0)
    assert await book.balance(book.bob) == (30, 0)
    assert await book.rows() == rows


async def test_a_replay_is_answered_even_when_the_money_is_gone_since(book):
    await book.fund(book.alice, 30)
    first = await ledger.post("buy:42", "purchase", [Leg(book.alice, book.bob, 30)])
    again = await ledger.post("buy:42", "purchase", [Leg(book.alice, book.bob, 30)])
    assert again.id == first.id
    assert await book.balance(book.alice) == (0, 0)


@pytest.mark.parametrize(
    "change",
    [
        {"legs": [Leg(0, 0, 31)]},
        {"kind": "transfer"},
        {"memo": "other"},
        {"metadata": {"a": 2}},
        {"legs": [Leg(0, 0, 30), Leg(0, 0, 1)]},
    ],
    ids=["amount", "kind", "memo", "metadata", "extra-leg"],
)
async def test_reusing_a_key_for_other_content_is_a_key_conflict(book, change):
    await book.fund(book.alice, 100)

    def legs(template):
        return [Leg(book.alice, book.bob, leg.amount) for leg in template]

    await ledger.post("buy:43", "purchase", [Leg(book.alice, book.bob, 30)], memo="m", metadata={"a": 1})
    rows = await book.rows()
    request = {"kind": "purchase", "memo": "m", "metadata": {"a": 1}, "legs": [Leg(0, 0, 30)]} | change
    with pytest.raises(KeyConflict) as refused:
        await ledger.post("buy:43", request["kind"], legs(request["legs"]), memo=request["memo"],
                          metadata=request["metadata"])
    assert refused.value.code == "key_conflict"
    assert await book.balance(book.alice) == (70, 0)
    assert await book.rows() == rows


@pytest.mark.parametrize("key", ["", "k" * 201])
async def test_a_key_must_have_one_to_two_hundred_characters(book, key):
    with pytest.raises(KeyConflict):
        await ledger.post(key, "issuance", [Leg(book.issuance, book.alice, 1)])
    assert await book.rows() == (0, 0, 0)


async def test_movement_hooks_see_every_transfer_inside_the_transaction(book, monkeypatch):
    seen: list[Movement] = []

    async def follow(movement: Movement) -> None:
        # Inside the posting's transaction: the posting row is already visible.
        assert await Posting.filter(id=movement.posting_id).exists()
        seen.append(movement)

    monkeypatch.setattr("core.ledger.hooks._hooks", {})
    ledger.on_movement(ledger.CARBON, follow)
    ledger.on_movement(ledger.CARBON, follow)  # registered once
    posting = await ledger.post("issue", "issuance", [Leg(book.issuance, book.alice, 5, batch_id=3)])
    assert seen == [
        Movement(
            kind=MovementKind.TRANSFER,
            asset="carbon",
            amount=5,
            debit_account_id=book.issuance,
            credit_account_id=book.alice,
            # Whose accounts they are, as the ledger read them: the hook need not read them again.
            debit=Party(book.issuance, "system", "issuance", is_nonnegative=False),
            credit=Party(book.alice, "user:1", "wallet", is_nonnegative=True),
            posting_id=posting.id,
            transfer_id=posting.transfers[0].id,
            batch_id=3,
        )
    ]


async def test_an_error_in_a_movement_hook_rolls_the_whole_posting_back(book, monkeypatch):
    async def refuse(movement: Movement) -> None:
        raise RuntimeError("the registry has no serials for this")

    monkeypatch.setattr("core.ledger.hooks._hooks", {})
    ledger.on_movement(ledger.CARBON, refuse)
    with pytest.raises(RuntimeError):
        await ledger.post("issue", "issuance", [Leg(book.issuance, book.alice, 5)])
    assert await book.balance(book.alice) == (0, 0)
    assert await book.rows() == (0, 0, 0)


async def test_a_posting_can_be_read_back_by_its_key(book):
    made = await ledger.post("issue", "issuance", [Leg(book.issuance, book.alice, 5)])
    assert await ledger.get_posting("issue") == made
    assert await ledger.get_posting("nothing") is None


async def test_a_replay_inside_a_callers_transaction_leaves_that_transaction_usable(book):
    await book.fund(book.alice, 100)
    first = await ledger.post("buy:44", "purchase", [Leg(book.alice, book.bob, 30)])
    async with in_transaction():
        again = await ledger.post("buy:44", "purchase", [Leg(book.alice, book.bob, 30)])
        with pytest.raises(InsufficientFunds):
            await ledger.post("buy:45", "purchase", [Leg(book.alice, book.bob, 71)])
        await ledger.post("buy:46", "purchase", [Leg(book.alice, book.bob, 70)])
    assert again.id == first.id
    assert await book.balance(book.alice) == (0, 0)
    assert await ledger.get_posting("buy:45") is None


async def test_no_balance_ever_leaves_a_64_bit_integer(db):
    """Each amount fits, but their sum would not: the second posting is refused, not stored as a float."""
    from core.ledger import Leg, Role, post, system_account, user_account
    from core.ledger.errors import AmountTooLarge
    from core.ledger.postings import MAX_AMOUNT

    clearing = await system_account(Role.CLEARING, "XTR")  # may go negative
    wallet = await user_account(1, "XTR")
    await post("big:1", "payment", [Leg(clearing.id, wallet.id, MAX_AMOUNT - 5)])
    with pytest.raises(AmountTooLarge):
        await post("big:2", "payment", [Leg(clearing.id, wallet.id, 10)])
    assert (await user_account(1, "XTR")).balance == MAX_AMOUNT - 5
    other = await user_account(2, "XTR")
    with pytest.raises(AmountTooLarge):  # the clearing account at its floor
        await post("big:3", "payment", [Leg(clearing.id, other.id, 10)])
    assert (await system_account(Role.CLEARING, "XTR")).balance == -(MAX_AMOUNT - 5)
    await post("big:4", "payment", [Leg(wallet.id, clearing.id, MAX_AMOUNT - 5)])  # verify stays clean
