"""The database itself refuses what the ledger forbids, on SQLite and PostgreSQL.

Python checks come first, but a bug (or a hand-written UPDATE) must still hit
a UNIQUE or CHECK constraint: these tests write raw SQL past the ledger.
The migrations must also describe exactly the models, or a fresh database
would lack what the models declare.
"""

from __future__ import annotations

import pytest
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError
from tortoise.migrations.autodetector import MigrationAutodetector

from core import db as database
from core import ledger
from core.ledger import Leg, Role
from core.ledger.accounts import SYSTEM, may_go_negative
from core.ledger.models import Account, Posting

from .conftest import raw_sql

POSTING_COLUMNS = '"key", kind, memo, metadata, fingerprint, created_at'


def posting_values(key: str) -> str:
    return f"'{key}', 'issuance', '', '{{}}', 'f', '2030-01-01 00:00:00+00:00'"


async def test_the_database_refuses_a_second_posting_with_the_same_key(book):
    await ledger.post("buy:41", "purchase", [Leg(book.issuance, book.alice, 5)])
    with pytest.raises(IntegrityError):
        await raw_sql(f"INSERT INTO ledger_posting ({POSTING_COLUMNS}) VALUES ({posting_values('buy:41')})")
    assert await Posting.filter(key="buy:41").count() == 1


async def test_the_database_refuses_a_second_hold_with_the_same_key(book):
    await book.fund(book.alice, 10)
    held = await ledger.hold("offer:1", book.alice, 5, "offer")
    with pytest.raises(IntegrityError):
        await raw_sql(
            "INSERT INTO ledger_hold (\"key\", account_id, amount, remaining, status, kind, memo,"
            " metadata, fingerprint, created_at) VALUES ('offer:1', "
            f"{book.alice}, 1, 1, 'voided', 'offer', '', '{{}}', 'f', '2030-01-01 00:00:00+00:00')"
        )
    assert (await ledger.get_hold(held.id)).amount == 5


async def test_the_database_refuses_a_user_balance_below_what_is_held(book):
    await book.fund(book.alice, 100)
    await ledger.hold("offer:1", book.alice, 40, "offer")
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET balance = 39 WHERE id = {book.alice}")
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET held = 101 WHERE id = {book.alice}")
    assert await book.balance(book.alice) == (100, 40)


async def test_the_database_refuses_a_negative_user_balance_and_a_negative_held(book):
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET balance = -1 WHERE id = {book.alice}")
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET held = -1 WHERE id = {book.issuance}")
    await raw_sql(f"UPDATE ledger_account SET balance = -1 WHERE id = {book.issuance}")  # allowed
    await raw_sql(f"UPDATE ledger_account SET balance = 0 WHERE id = {book.issuance}")
    assert await book.balance(book.alice) == (0, 0)


@pytest.mark.parametrize("amount", [0, -5])
async def test_the_database_refuses_a_transfer_of_nothing_or_less(book, amount):
    await raw_sql(f"INSERT INTO ledger_posting ({POSTING_COLUMNS}) VALUES ({posting_values('raw')})")
    posting = await Posting.get(key="raw")
    with pytest.raises(IntegrityError):
        await raw_sql(_transfer_sql(posting.id, book.issuance, book.alice, amount))


async def test_the_database_refuses_a_transfer_from_an_account_to_itself(book):
    await raw_sql(f"INSERT INTO ledger_posting ({POSTING_COLUMNS}) VALUES ({posting_values('raw')})")
    posting = await Posting.get(key="raw")
    with pytest.raises(IntegrityError):
        await raw_sql(_transfer_sql(posting.id, book.alice, book.alice, 5))


async def test_the_database_refuses_a_hold_that_keeps_more_than_it_was_given(book):
    await book.fund(book.alice, 100)
    held = await ledger.hold("offer:1", book.alice, 40, "offer")
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_hold SET remaining = 41 WHERE id = {held.id}")
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_hold SET remaining = -1 WHERE id = {held.id}")


async def test_the_database_refuses_a_second_account_for_one_owner_role_and_asset(book):
    with pytest.raises(IntegrityError):
        await raw_sql(
            "INSERT INTO ledger_account (owner, role, asset, balance, held, is_nonnegative,"
            " is_frozen, created_at) VALUES ('user:1', 'wallet', 'carbon', 0, 0, TRUE, FALSE,"
            " '2030-01-01 00:00:00+00:00')"
        )


def _account_sql(owner: str, role: str, *, is_nonnegative: bool) -> str:
    return (
        "INSERT INTO ledger_account (owner, role, asset, balance, held, is_nonnegative,"
        f" is_frozen, created_at) VALUES ('{owner}', '{role}', 'XTR', 0, 0,"
        f" {'TRUE' if is_nonnegative else 'FALSE'}, FALSE, '2030-01-01 00:00:00+00:00')"
    )


async def test_the_database_refuses_a_user_wallet_flagged_to_go_negative(book):
    with pytest.raises(IntegrityError):
        await raw_sql(_account_sql("user:9", "wallet", is_nonnegative=False))
    with pytest.raises(IntegrityError):
        await raw_sql(f"UPDATE ledger_account SET is_nonnegative = FALSE WHERE id = {book.alice}")
    assert await Account.get(id=book.alice).values_list("is_nonnegative", flat=True)


@pytest.mark.parametrize("role", list(Role))
async def test_the_database_lets_exactly_the_outside_world_system_accounts_go_negative(db, role):
    insert = raw_sql(_account_sql(SYSTEM, role.value, is_nonnegative=False))
    if may_go_negative(SYSTEM, role):
        await insert
    else:
        with pytest.raises(IntegrityError):
            await insert


async def test_the_history_indexes_survive_the_table_rebuilds(db):
    from tortoise import Tortoise

    if Tortoise.get_connection("default").capabilities.dialect == "postgres":
        rows = await raw_sql("SELECT indexdef AS sql FROM pg_indexes WHERE tablename = 'ledger_transfer'")
    else:
        rows = await raw_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_transfer'"
            " AND sql IS NOT NULL"
        )
    definitions = " ".join(r["sql"] for r in rows).replace('"', "")
    assert "(debit_account_id, id)" in definitions
    assert "(credit_account_id, id)" in definitions


def _transfer_sql(posting_id: int, debit: int, credit: int, amount: int) -> str:
    return (
        "INSERT INTO ledger_transfer (posting_id, debit_account_id, credit_account_id, asset,"
        f" amount, created_at) VALUES ({posting_id}, {debit}, {credit}, 'carbon', {amount},"
        " '2030-01-01 00:00:00+00:00')"
    )


async def pending_changes() -> str:
    """What `tortoise makemigrations` would write, without writing it."""
    config = database.tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    if not writers:
        return "No changes detected"
    return "\n".join(writer.as_string() for writer in writers)


async def test_the_migrations_describe_exactly_the_models():
    assert await pending_changes() == "No changes detected"
