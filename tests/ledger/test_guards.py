"""The database guards the ledger past Python, on SQLite and PostgreSQL (core/ledger/guards.py).

Raw SQL, past the ledger: a transfer's asset is its accounts', postings,
transfers and hold steps are never changed, a hold only moves on in its cache,
and a kind is one of ledger_kind's.
"""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError

from core import ledger
from core.ledger import Kind, Leg, guards
from core.ledger.errors import UnknownKind
from core.ledger.models import HoldStep, Posting, PostingKind, Transfer

from .conftest import raw_sql

AT = "'2030-01-01 00:00:00+00:00'"


def transfer_sql(posting_id: int, debit: int, credit: int, asset: str) -> str:
    return (
        "INSERT INTO ledger_transfer (posting_id, debit_account_id, credit_account_id, asset,"
        f" amount, created_at) VALUES ({posting_id}, {debit}, {credit}, '{asset}', 5, {AT})"
    )


def posting_sql(key: str, kind: str) -> str:
    return (
        'INSERT INTO ledger_posting ("key", kind, memo, metadata, fingerprint, created_at)'
        f" VALUES ('{key}', '{kind}', '', '{{}}', 'f', {AT})"
    )


async def test_the_database_refuses_a_transfer_whose_asset_is_not_both_its_accounts(book):
    euros = await ledger.user_account(1, "EUR")
    posting = await ledger.post("pay", "issuance", [Leg(book.issuance, book.alice, 10)])
    for debit, credit, asset in [
        (book.alice, book.bob, "EUR"),  # two carbon accounts, a euro transfer
        (book.alice, euros.id, "carbon"),  # carbon into a euro account
        (euros.id, book.alice, "carbon"),  # carbon out of a euro account
    ]:
        with pytest.raises(IntegrityError):
            await raw_sql(transfer_sql(posting.id, debit, credit, asset))
    await raw_sql(transfer_sql(posting.id, book.alice, book.bob, "carbon"))  # the same asset passes
    await raw_sql(transfer_sql(posting.id, book.bob, book.alice, "carbon"))  # (and is undone)
    assert await Transfer.all().count() == 3


async def test_the_database_refuses_changing_the_asset_of_an_account(book):
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET asset = 'EUR' WHERE id = {book.alice}")
    assert (await ledger.get_account(book.alice)).asset == "carbon"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_transfer SET amount = amount + 1 WHERE id = {transfer}",
        "UPDATE ledger_transfer SET credit_account_id = {carol} WHERE id = {transfer}",
        "DELETE FROM ledger_transfer WHERE id = {transfer}",
        "UPDATE ledger_posting SET memo = 'changed' WHERE id = {posting}",
        "UPDATE ledger_posting SET kind = 'refund' WHERE id = {posting}",
        "DELETE FROM ledger_posting WHERE id = {posting}",
    ],
    ids=["transfer-amount", "transfer-account", "transfer-delete", "posting-memo", "posting-kind",
         "posting-delete"],
)
async def test_the_database_refuses_to_change_or_delete_a_transfer_or_a_posting(book, statement):
    posting = await ledger.post("t", "transfer", [Leg(book.issuance, book.bob, 5)], memo="first")
    sql = statement.format(transfer=posting.transfers[0].id, posting=posting.id, carol=book.carol)
    with pytest.raises(IntegrityError):
        await raw_sql(sql)
    assert await ledger.get_posting("t") == posting
    assert await book.balance(book.bob) == (5, 0)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_hold_step SET released = released + 1 WHERE id = {step}",
        "DELETE FROM ledger_hold_step WHERE id = {step}",
    ],
    ids=["update", "delete"],
)
async def test_the_database_refuses_to_change_or_delete_a_hold_step(book, statement):
    await book.fund(book.alice, 100)
    held = await ledger.hold("h", book.alice, 40, "offer")
    await ledger.void_hold("v", held.id)
    (step,) = await ledger.hold_history(held.id)
    with pytest.raises(IntegrityError):
        await raw_sql(statement.format(step=step.id))
    assert await ledger.hold_history(held.id) == (step,)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM ledger_hold WHERE id = {hold}",
        "UPDATE ledger_hold SET amount = 50 WHERE id = {hold}",
        "UPDATE ledger_hold SET account_id = {bob} WHERE id = {hold}",
        "UPDATE ledger_hold SET kind = 'purchase' WHERE id = {hold}",
        "UPDATE ledger_hold SET remaining = 40 WHERE id = {hold}",  # gives back what a post moved
        "UPDATE ledger_hold SET status = 'posted' WHERE id = {hold}",  # closed with 30 left
        "UPDATE ledger_hold SET remaining = 0 WHERE id = {hold}",  # pending with nothing left
        "UPDATE ledger_hold SET status = 'pending', remaining = 5 WHERE id = {closed}",  # reopened
    ],
    ids=["delete", "amount", "account", "kind", "remaining-up", "closed-with-rest", "pending-empty",
         "reopen"],
)
async def test_the_database_lets_only_a_pending_holds_cache_move_on(book, statement):
    await book.fund(book.alice, 100)
    held = await ledger.hold("h", book.alice, 40, "offer")
    await ledger.post_hold("p", held.id, book.bob, amount=10, release_rest=False)
    closed = await ledger.hold("h2", book.alice, 5, "offer")
    await ledger.void_hold("v2", closed.id)
    before = await ledger.get_hold(held.id)
    with pytest.raises(IntegrityError):
        await raw_sql(statement.format(hold=held.id, closed=closed.id, bob=book.bob))
    assert await ledger.get_hold(held.id) == before


async def test_the_database_refuses_a_posting_or_a_hold_of_an_unknown_kind(book):
    with pytest.raises(IntegrityError):
        await raw_sql(posting_sql("raw", "bogus"))
    with pytest.raises(IntegrityError):
        await raw_sql(
            'INSERT INTO ledger_hold ("key", account_id, amount, remaining, status, kind, memo,'
            f" metadata, fingerprint, created_at) VALUES ('raw', {book.alice}, 1, 1, 'pending',"
            f" 'bogus', '', '{{}}', 'f', {AT})"
        )
    await raw_sql(posting_sql("raw", "transfer"))  # a known kind passes
    assert await Posting.filter(key="raw").count() == 1


async def test_the_database_refuses_removing_a_kind_in_use(book):
    await book.fund(book.alice, 5)  # an issuance posting
    with pytest.raises(IntegrityError):
        await raw_sql("DELETE FROM ledger_kind WHERE code = 'issuance'")
    with pytest.raises(IntegrityError):
        await raw_sql("UPDATE ledger_kind SET code = 'issue' WHERE code = 'issuance'")
    assert await PostingKind.exists(code="issuance")


async def test_moving_under_an_unknown_kind_raises_unknown_kind_and_writes_nothing(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("h", book.alice, 40, "offer")
    rows = await book.rows()
    with pytest.raises(UnknownKind) as refused:
        await ledger.post("p", "bogus", [Leg(book.alice, book.bob, 5)])
    assert (refused.value.code, refused.value.params) == ("unknown_kind", {"kind": "bogus"})
    with pytest.raises(UnknownKind):
        await ledger.hold("h2", book.alice, 5, "bogus")
    with pytest.raises(UnknownKind):
        await ledger.post_hold("ph", held.id, book.bob, kind="bogus")
    with pytest.raises(UnknownKind):
        await ledger.void_hold("vh", held.id, kind="bogus")
    assert await book.rows() == rows
    assert await book.balance(book.alice) == (100, 40)
    assert (await ledger.get_hold(held.id)).remaining == 40
    assert await HoldStep.all().count() == 0


async def test_a_migrated_database_knows_exactly_the_kinds_the_code_names(db):
    assert set(await PostingKind.all().values_list("code", flat=True)) == {k.value for k in Kind}


async def test_verify_reports_a_guard_the_database_lost(book):
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "postgres":
        await raw_sql('DROP TRIGGER "ledger_transfer_append_only" ON "ledger_transfer"')
        lost = "ledger_transfer_append_only"
    else:  # as a table rebuilt by a later migration would lose it
        await raw_sql('DROP TRIGGER "ledger_transfer_append_only_delete"')
        lost = "ledger_transfer_append_only_delete"
    assert (await ledger.verify()).problems == [
        f"the database lacks the guard {lost} (core/ledger/guards.py)"
    ]
    await guards.install(conn)  # what a migration that rebuilds the table calls
    assert (await ledger.verify()).is_clean
