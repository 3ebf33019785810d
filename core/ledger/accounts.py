"""Opening and reading accounts.

An account is named by (owner, role, asset) and opened on first use; the
UNIQUE constraint on that triple makes two concurrent openings one account.
User accounts may never go below zero; the system's source and sink accounts
(issuance, clearing, adjustments) may, since they mirror the world outside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q

from core.ledger.errors import UnknownAccount, UnknownAsset
from core.ledger.models import CARBON, Account

STARS = "XTR"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Role(StrEnum):
    WALLET = "wallet"  # a user's own holdings
    ISSUANCE = "issuance"  # where new credits come from (goes negative)
    INVENTORY = "inventory"  # credits CCCP holds for sale
    ESCROW = "escrow"  # held for a trade in flight
    RETIREMENT = "retirement"  # retired credits; they never leave
    FEES = "fees"
    ADJUSTMENTS = "adjustments"  # staff corrections, each with a reason
    CLEARING = "clearing"  # money that came in from or went out to the world
    BUFFER = "buffer"  # a project's buffer pool against reversals
    SUSPENSE = "suspense"  # payments that bought nothing, until they are refunded
    CANCELLATION = "cancellation"  # credits cancelled for a loss (buffer pool); they never leave
    PLANTING_FUND = "planting_fund"  # the share of fees that pays for trees (core/reforestation)


# System roles whose balance mirrors the outside world and may go negative.
UNBOUNDED_ROLES = frozenset({Role.ISSUANCE, Role.CLEARING, Role.ADJUSTMENTS})
SYSTEM = "system"


def may_go_negative(owner: str, role: str) -> bool:
    """Only the system's accounts that mirror the outside world go below zero."""
    return owner == SYSTEM and role in UNBOUNDED_ROLES


@dataclass(frozen=True)
class AccountView:
    id: int
    owner: str
    role: str
    asset: str
    balance: int
    held: int
    is_frozen: bool

    @property
    def available(self) -> int:
        return self.balance - self.held


def view(account: Account) -> AccountView:
    return AccountView(
        id=account.id,
        owner=account.owner,
        role=account.role,
        asset=account.asset,
        balance=account.balance,
        held=account.held,
        is_frozen=account.is_frozen,
    )


def check_asset(asset: str) -> str:
    """`carbon` or an ISO 4217 code (Telegram Stars: XTR)."""
    if asset == CARBON or _CURRENCY.match(asset):
        return asset
    raise UnknownAsset(asset=asset)


def user_owner(user_id: int) -> str:
    return f"user:{user_id}"


def project_owner(project_id: int) -> str:
    return f"project:{project_id}"


async def open_account(owner: str, role: str, asset: str) -> AccountView:
    """The account for (owner, role, asset), created on first use."""
    return (await open_accounts((owner, role, asset)))[0]


async def open_accounts(*names: tuple[str, str, str]) -> list[AccountView]:
    """The accounts for several (owner, role, asset) names, in that order, each created on
    first use: one read, and for the missing ones one insert and one more read."""
    for _, _, asset in names:
        check_asset(asset)
    found = await _read(names)
    if missing := [name for name in names if name not in found]:
        # ON CONFLICT DO NOTHING: an account a concurrent request opened a moment ago is
        # no error (that would abort the caller's transaction on PostgreSQL); the second
        # read finds it, whoever created it.
        await Account.bulk_create([
            Account(owner=owner, role=role, asset=asset, is_nonnegative=not may_go_negative(owner, role))
            for owner, role, asset in dict.fromkeys(missing)
        ], ignore_conflicts=True)
        found |= await _read(missing)
    return [found[name] for name in names]


async def _read(names: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str, str], AccountView]:
    wanted = Q(*(Q(owner=owner, role=role, asset=asset) for owner, role, asset in names), join_type=Q.OR)
    return {(a.owner, a.role, a.asset): view(a) for a in await Account.filter(wanted)}


def user_name(user_id: int, asset: str) -> tuple[str, str, str]:
    """The (owner, role, asset) of a user's wallet, for open_accounts."""
    return user_owner(user_id), Role.WALLET, asset


def system_name(role: Role, asset: str) -> tuple[str, str, str]:
    return SYSTEM, role, asset


async def user_account(user_id: int, asset: str) -> AccountView:
    return await open_account(*user_name(user_id, asset))


async def system_account(role: Role, asset: str) -> AccountView:
    return await open_account(*system_name(role, asset))


async def get_account(account_id: int) -> AccountView:
    account = await Account.get_or_none(id=account_id)
    if account is None:
        raise UnknownAccount(account_id=account_id)
    return view(account)


async def accounts_of(owner: str) -> list[AccountView]:
    return [view(a) for a in await Account.filter(owner=owner).order_by("asset", "role")]


async def set_frozen(account_id: int, is_frozen: bool) -> AccountView:
    """Freeze or thaw: a frozen account neither sends nor receives."""
    if not await Account.filter(id=account_id).update(is_frozen=is_frozen):
        raise UnknownAccount(account_id=account_id)
    return await get_account(account_id)
