"""Find a user by what staff have in hand, and the user card staff see.

A query may be a Telegram id, an @username, a certificate id, a retirement id,
a serial number or an order id; each names one user (the holder of the serial,
the buyer of the order, the owner of the retirement's account).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core import users
from core.certs.models import Certificate
from core.ledger.models import Account, Hold, HoldStatus
from core.purchases.models import Purchase
from core.registry.errors import RegistryError
from core.registry.models import Retirement, SerialBlock
from core.registry.serials import looks_like_serial, parse_serial
from core.staff.errors import UserNotFound
from core.staff.freezes import frozen_reason
from core.staff.models import Freeze
from core.staff.roles import Level, level_of
from core.staff.tickets import TicketView, tickets_of
from core.users.models import User


@dataclass(frozen=True)
class HoldLine:
    asset: str
    amount: int
    kind: str
    memo: str


@dataclass(frozen=True)
class UserCard:
    user: users.UserView
    level: Level
    balances: users.BalanceView
    holds: tuple[HoldLine, ...]
    movements: tuple
    tickets: tuple[TicketView, ...]
    frozen_reason: str | None


# Other areas name users by what they own (the market's offers, a merchant's codes):
# they register a finder here from `core.setup()`; the first that knows the text wins.
Finder = Callable[[str], Awaitable[int | None]]
_FINDERS: list[Finder] = []


def register_finder(finder: Finder) -> None:
    """Add a way to find a user (once, however often setup runs)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def _owner_user(owner: str) -> int | None:
    if owner.startswith("user:") and owner[5:].isdigit():
        return int(owner[5:])
    return None


async def _account_user(account_id: int) -> int | None:
    account = await Account.get_or_none(id=account_id)
    return None if account is None else _owner_user(account.owner)


async def _retirement_user(public_id: str) -> int | None:
    retirement = await Retirement.get_or_none(public_id=public_id)
    return None if retirement is None else await _account_user(retirement.account_id)


async def find_user(query: str) -> int:
    """The user a query names; UserNotFound if none."""
    text = str(query or "").strip()
    found: int | None = None
    if text.lstrip("-").isdigit() and len(text) < 20:
        found = int(text) if await User.filter(id=int(text)).exists() else None
    elif text.startswith("@") and len(text) > 1:
        user = await User.filter(username__iexact=text[1:64]).first()
        found = user.id if user else None
    elif looks_like_serial(text):
        try:
            serial = parse_serial(text)
        except RegistryError:
            serial = None
        if serial is not None:
            block = await SerialBlock.filter(serial_first__lte=serial.first).order_by("-serial_first").first()
            if block is not None and block.serial_last >= serial.first:
                if block.retired_posting_id is not None:
                    retirement = await Retirement.get_or_none(posting_id=block.retired_posting_id)
                    found = await _account_user(retirement.account_id) if retirement else None
                else:
                    found = await _account_user(block.account_id)
    else:
        purchase = await Purchase.get_or_none(public_id=text[:16])
        if purchase is not None:
            found = purchase.user_id
        else:
            certificate = (await Certificate.get_or_none(public_id=text[:16])
                           or await Certificate.get_or_none(public_id=text.upper()[:16]))
            if certificate is not None and certificate.retirement_id:
                found = await _retirement_user(certificate.retirement_id)
            else:
                found = await _retirement_user(text[:16]) or await _retirement_user(text.upper()[:16])
    for finder in _FINDERS:
        if found is not None:
            break
        found = await finder(text)
    if found is None:
        raise UserNotFound(query=text[:64])
    return found


async def user_card(user_id: int) -> UserCard:
    user = await users.get_user(user_id)
    if user is None:
        raise UserNotFound(query=str(user_id))
    holds = await Hold.filter(account__owner=f"user:{user_id}", status=HoldStatus.PENDING).prefetch_related(
        "account").order_by("id").limit(10)
    history = await users.history(user_id)
    return UserCard(
        user=user,
        level=await level_of(user_id),
        balances=await users.balances(user_id),
        holds=tuple(HoldLine(h.account.asset, h.remaining, h.kind, h.memo) for h in holds),
        movements=tuple(history.entries[:5]),
        tickets=tuple(await tickets_of(user_id)),
        frozen_reason=await frozen_reason(user_id),
    )


__all__ = ["Freeze", "UserCard", "find_user", "register_finder", "user_card"]
