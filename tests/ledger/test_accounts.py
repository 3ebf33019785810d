"""Accounts: opened once, one asset each, user wallets never below zero."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from core import ledger
from core.ledger.errors import UnknownAccount, UnknownAsset
from core.ledger.models import Account


async def test_opening_an_account_twice_gives_the_same_account(db):
    first = await ledger.user_account(7, ledger.CARBON)
    again = await ledger.user_account(7, ledger.CARBON)
    assert first.id == again.id
    assert await Account.filter(owner="user:7").count() == 1


async def test_concurrent_openings_of_one_account_make_one_row(db):
    opened = await asyncio.gather(*(ledger.user_account(8, "EUR") for _ in range(20)))
    assert {a.id for a in opened} == {opened[0].id}
    assert await Account.filter(owner="user:8", asset="EUR").count() == 1


async def test_one_owner_has_one_account_per_asset(db):
    carbon = await ledger.user_account(9, ledger.CARBON)
    stars = await ledger.user_account(9, ledger.STARS)
    assert carbon.id != stars.id
    assert [a.asset for a in await ledger.accounts_of(ledger.user_owner(9))] == ["XTR", "carbon"]


@pytest.mark.parametrize("asset", ["carbon", "EUR", "XTR", "USD"])
async def test_carbon_and_iso_currency_codes_are_assets(db, asset):
    account = await ledger.user_account(1, asset)
    assert (account.asset, account.balance, account.held) == (asset, 0, 0)


@pytest.mark.parametrize("asset", ["eur", "EURO", "", "CO2", "Carbon", "E1R"])
async def test_anything_else_is_refused_as_an_unknown_asset(db, asset):
    with pytest.raises(UnknownAsset) as refused:
        await ledger.user_account(1, asset)
    assert refused.value.code == "unknown_asset"
    assert await Account.all().count() == 0


async def test_user_wallets_may_not_go_negative_but_issuance_may(db):
    wallet = await Account.get(id=(await ledger.user_account(1, ledger.CARBON)).id)
    issuance = await Account.get(id=(await ledger.system_account(ledger.Role.ISSUANCE, "carbon")).id)
    inventory = await Account.get(id=(await ledger.system_account(ledger.Role.INVENTORY, "carbon")).id)
    assert (wallet.is_nonnegative, issuance.is_nonnegative, inventory.is_nonnegative) == (
        True,
        False,
        True,
    )


async def test_reading_an_unknown_account_says_so(db):
    with pytest.raises(UnknownAccount) as refused:
        await ledger.get_account(999)
    assert refused.value.code == "unknown_account"
    assert refused.value.params == {"account_id": 999}


async def test_a_frozen_account_can_be_thawed(db):
    alice = await ledger.user_account(1, ledger.CARBON)
    assert (await ledger.set_frozen(alice.id, True)).is_frozen
    assert not (await ledger.set_frozen(alice.id, False)).is_frozen
    with pytest.raises(UnknownAccount):
        await ledger.set_frozen(999, True)


async def test_opening_one_account_in_concurrent_transactions_leaves_each_usable(db):
    # A losing INSERT must not poison the caller's transaction (PostgreSQL aborts
    # a transaction at its first error unless a savepoint catches it).
    async def open_inside_a_transaction() -> int:
        async with in_transaction():
            account = await ledger.user_account(5, "EUR")
            return (await ledger.get_account(account.id)).id

    opened = await asyncio.gather(*(open_inside_a_transaction() for _ in range(10)))
    assert set(opened) == {opened[0]}
    assert await Account.filter(owner="user:5").count() == 1
