"""Signing up, settings, balances and history of one person, through core."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import kv, ledger, registry
from core.users import (
    RoleNotSelfService,
    UnknownRole,
    UnknownUser,
    UnsupportedLanguage,
    UserRole,
    add_role,
    balances,
    get_user,
    grant_staff,
    history,
    set_language,
    set_notifications,
    sign_up,
)
from tests.helpers import issue_to

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def credit_carbon(user_id: int, kg: int, key: str) -> None:
    await issue_to(user_id, kg, key, now=NOW)


async def test_signing_up_creates_the_user_with_wallets_for_carbon_and_stars(db):
    user = await sign_up(42, "Alice", "de", ["consumer", "trader"], now=NOW, username="alice")
    assert user.language == "de" and user.roles == {UserRole.CONSUMER, UserRole.TRADER}
    assert user.terms_accepted_at == NOW and user.has_notifications
    assets = {a.asset for a in await ledger.accounts_of(ledger.user_owner(42))}
    assert assets == {"carbon", "XTR"}


async def test_signing_up_twice_returns_the_first_user_unchanged(db):
    first = await sign_up(42, "Alice", "de", ["consumer"], now=NOW)
    again = await sign_up(42, "Alicia", "fr", ["merchant"], now=NOW)
    assert again == first
    assert len(await ledger.accounts_of(ledger.user_owner(42))) == 2


async def test_an_unknown_role_or_language_is_refused(db):
    with pytest.raises(UnknownRole):
        await sign_up(1, "A", "en", ["wizard"], now=NOW)
    with pytest.raises(UnsupportedLanguage):
        await sign_up(1, "A", "xx", ["consumer"], now=NOW)
    assert await get_user(1) is None


async def test_roles_are_added_and_settings_change(db):
    await sign_up(7, "Bob", None, ["consumer"], now=NOW)
    await add_role(7, "merchant")
    user = await add_role(7, "merchant")
    assert user.roles == {UserRole.CONSUMER, UserRole.MERCHANT}
    assert (await set_language(7, "fr")).language == "fr"
    assert not (await set_notifications(7, False)).has_notifications


async def test_nobody_makes_themselves_staff_by_signing_up_or_adding_a_role(db):
    with pytest.raises(RoleNotSelfService) as raised:
        await sign_up(7, "Mallory", "en", ["consumer", "staff"], now=NOW)
    assert raised.value.code == "role_not_allowed"
    assert await get_user(7) is None
    await sign_up(7, "Mallory", "en", ["consumer"], now=NOW)
    with pytest.raises(RoleNotSelfService):
        await add_role(7, "staff")
    assert (await get_user(7)).roles == {UserRole.CONSUMER}


async def test_an_operator_grants_staff_to_a_signed_up_user(db):
    await sign_up(7, "Sam", "en", ["consumer"], now=NOW)
    staff = await grant_staff(7, granted_by="cccp seed")
    assert staff.roles == {UserRole.CONSUMER, UserRole.STAFF}
    assert await grant_staff(7, granted_by="cccp seed") == staff
    with pytest.raises(UnknownUser):
        await grant_staff(8, granted_by="cccp seed")


async def test_settings_of_someone_who_never_signed_up_are_refused(db):
    with pytest.raises(UnknownUser):
        await set_language(99, "en")
    with pytest.raises(UnknownUser):
        await add_role(99, "trader")


async def test_balances_show_available_held_and_retired_credits(db):
    await sign_up(5, "Cem", "en", ["consumer"], now=NOW)
    await credit_carbon(5, 3000, "issue:5")
    wallet = await ledger.user_account(5, ledger.CARBON)
    await registry.retire(wallet.id, 500, "Cem", "", key="retire:5", now=NOW)
    await ledger.hold("offer:5", wallet.id, 1000, "offer", now=NOW)
    figures = await balances(5)
    assert (figures.available_kg, figures.held_kg, figures.retired_kg) == (1500, 1000, 500)
    assert [(c.currency, c.available_minor) for c in figures.cash] == [("XTR", 0)]


async def test_retired_credits_are_the_registry_retirements_of_the_wallet_only(db):
    for user_id in (5, 6):
        await sign_up(user_id, "Cem", "en", ["consumer"], now=NOW)
        await credit_carbon(user_id, 3000, f"issue:{user_id}")
    cem = await ledger.user_account(5, ledger.CARBON)
    other = await ledger.user_account(6, ledger.CARBON)
    await registry.retire(cem.id, 200, "Cem", "flight", key="r1", now=NOW)
    await registry.retire(cem.id, 300, "Ada", "train", key="r2", now=NOW)
    await registry.retire(other.id, 1000, "Someone", "", key="r3", now=NOW)
    assert (await balances(5)).retired_kg == 500
    assert (await balances(6)).retired_kg == 1000


async def test_a_wallet_that_never_retired_shows_none_retired(db):
    await sign_up(5, "Cem", "en", ["consumer"], now=NOW)
    await credit_carbon(5, 3000, "issue:5")
    assert (await balances(5)).retired_kg == 0


async def test_history_pages_ten_at_a_time_both_ways(db):
    await sign_up(5, "Cem", "en", ["consumer"], now=NOW)
    for i in range(25):
        await credit_carbon(5, 100 + i, f"issue:{i}")
    first = await history(5)
    assert [e.amount for e in first.entries] == list(range(124, 114, -1))
    assert first.newer_cursor is None
    second = await history(5, before=first.older_cursor)
    third = await history(5, before=second.older_cursor)
    assert len(third.entries) == 5 and third.older_cursor is None
    back = await history(5, before=third.newer_cursor)
    assert back.entries == second.entries
    assert second.newer_cursor == 0 and (await history(5, before=0)).entries == first.entries


async def test_the_key_value_store_keeps_the_last_value(db):
    await kv.set_value("ns", "a", {"x": 1})
    await kv.set_value("ns", "a", {"x": 2})
    await kv.set_value("other", "a", [1])
    assert await kv.get_namespace("ns") == {"a": {"x": 2}}
    await kv.delete("ns", "a")
    assert await kv.get_namespace("ns") == {}
