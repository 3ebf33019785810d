"""Find a user by what staff have in hand, and the user card staff see.

A query may be a Telegram id, an @username, a certificate id, a retirement id,
a serial number or an order id; each names one user (the holder of the serial,
the buyer of the order, the owner of the retirement's account). Ids are read
the way their areas write them (core.ids: any case, look-alike letters mapped).

Other areas name users by what they own (the market's offers, a merchant's
product codes) and show it on the card: `core.setup()` registers their finders
and card sections here, so this module imports nothing of theirs. Some of their
ids can only be read with a secret of the deployment (a product code is stored
as its keyed hash): the front end hands those in as `keys` (name -> bytes), and
an area reads its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core import ids, users
from core.certs.models import Certificate
from core.certs.service import normalize_public_id
from core.ledger.models import Account, Hold, HoldStatus
from core.purchases.models import Purchase
from core.purchases.service import ORDER_ID_LENGTH, ORDER_ID_PREFIX
from core.registry.errors import RegistryError
from core.registry.models import Retirement, SerialBlock
from core.registry.retirement import is_retirement_id, normalize_retirement_id
from core.registry.serials import looks_like_serial, parse_serial
from core.staff.errors import UserNotFound
from core.staff.freezes import frozen_reason
from core.staff.models import Freeze
from core.staff.roles import Level, level_of
from core.staff.tickets import TicketView, tickets_of
from core.users.models import User

MAX_QUERY_CHARS = 200

Keys = Mapping[str, bytes]
# (the query, stripped; the keys) -> the user it names, or None when the area does not know it
Finder = Callable[[str, Keys], Awaitable[int | None]]
# (user id, keys) -> what the area shows of that user (its own frozen view), or None: nothing
Section = Callable[[int, Keys], Awaitable[Any]]


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
    # What other areas show, by the name they registered ("offers", "codes"), in that order.
    sections: Mapping[str, Any] = field(default_factory=dict)


_FINDERS: list[Finder] = []
_SECTIONS: dict[str, Section] = {}


def register_finder(finder: Finder) -> None:
    """Add a way to find a user (once, however often setup runs); the first that knows the text wins."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def register_section(name: str, section: Section) -> None:
    """Add (or replace) a part of the user card."""
    _SECTIONS[name] = section


def _owner_user(owner: str) -> int | None:
    if owner.startswith("user:") and owner[5:].isdigit():
        return int(owner[5:])
    return None


async def _account_user(account_id: int) -> int | None:
    account = await Account.get_or_none(id=account_id)
    return None if account is None else _owner_user(account.owner)


async def _serial_user(text: str) -> int | None:
    """Whoever holds the serial now, or the owner of the retirement that retired it."""
    try:
        serial = parse_serial(text)
    except RegistryError:
        return None
    block = await SerialBlock.filter(serial_first__lte=serial.first).order_by("-serial_first").first()
    if block is None or block.serial_last < serial.first:
        return None
    if block.retired_posting_id is not None:
        retirement = await Retirement.get_or_none(posting_id=block.retired_posting_id)
        return await _account_user(retirement.account_id) if retirement else None
    return await _account_user(block.account_id)


async def _retirement_user(public_id: str) -> int | None:
    retirement = await Retirement.get_or_none(public_id=public_id)
    return None if retirement is None else await _account_user(retirement.account_id)


async def _order_user(text: str) -> int | None:
    """The buyer of an order: "O" + 10 of core.ids, or an order id of the older format as written."""
    # The prefix is read as a letter: ids.normalize alone would take "O" for a zero.
    typed = ids.normalize(text)
    normal = ORDER_ID_PREFIX + typed[1:] if typed[:1] in (ORDER_ID_PREFIX, "0") else typed
    public_id = normal if ids.is_id(normal, ORDER_ID_PREFIX, ORDER_ID_LENGTH) else text
    if len(public_id) > 16:
        return None
    purchase = await Purchase.get_or_none(public_id=public_id)
    return None if purchase is None else purchase.user_id


async def _certificate_user(text: str) -> int | None:
    certificate = await Certificate.get_or_none(public_id=normalize_public_id(text)[:16])
    if certificate is None or not certificate.retirement_id:
        return None
    return await _retirement_user(certificate.retirement_id)


async def _built_in(text: str) -> int | None:
    if text.lstrip("-").isdigit() and len(text) < 20:
        return int(text) if await User.filter(id=int(text)).exists() else None
    if text.startswith("@"):
        user = await User.filter(username__iexact=text[1:65]).first() if len(text) > 1 else None
        return user.id if user else None
    if looks_like_serial(text):
        return await _serial_user(text)
    if is_retirement_id(text):
        return await _retirement_user(normalize_retirement_id(text))
    return await _order_user(text) or await _certificate_user(text)


async def find_user(query: str, *, keys: Keys | None = None) -> int:
    """The user a query names; UserNotFound if none."""
    text = str(query or "").strip()[:MAX_QUERY_CHARS]
    found = await _built_in(text) if text else None
    for finder in _FINDERS:
        if found is not None or not text:
            break
        found = await finder(text, keys or {})
    if found is None:
        raise UserNotFound(query=text[:64])
    return found


async def user_card(user_id: int, *, keys: Keys | None = None) -> UserCard:
    """Everything staff see of a user, with every registered area's section."""
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
        sections={name: await section(user_id, keys or {}) for name, section in _SECTIONS.items()},
    )


__all__ = ["Finder", "Freeze", "Keys", "Section", "UserCard", "find_user", "register_finder", "register_section",
           "user_card"]
