"""Movement hooks: how areas above the ledger follow its movements.

The registry breaks each account's carbon balance down into serial blocks, so
every carbon movement must move blocks in the same database transaction. The
ledger cannot import the registry (imports point down), so `core.setup()`
installs the registry's hook here. Hooks run inside the posting's transaction;
an error in a hook rolls the whole posting back.

Carbon must be followed: moving it with no hook installed raises HookMissing
(and rolls the posting back), so a process that never called `core.setup()`
cannot move carbon without its serials.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from core.ledger.errors import HookMissing
from core.ledger.models import CARBON

# Assets some area must follow: their movements are refused while no hook is installed.
FOLLOWED_ASSETS = frozenset({CARBON})


class MovementKind(StrEnum):
    TRANSFER = "transfer"  # amount moved debit -> credit
    HOLD = "hold"  # amount reserved on debit_account_id
    POST_HOLD = "post_hold"  # amount of hold moved debit -> credit; released the rest
    VOID_HOLD = "void_hold"  # amount of hold released, nothing moved


@dataclass(frozen=True)
class Party:
    """An account of a movement as the ledger read it: whose it is, so a hook tells
    issuance, retirement and people's wallets apart without reading it again."""
    id: int
    owner: str
    role: str
    is_nonnegative: bool


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    asset: str
    amount: int
    debit_account_id: int
    credit_account_id: int | None = None
    debit: Party | None = None  # the ledger always names the parties it read (a hook's test may not)
    credit: Party | None = None
    posting_id: int | None = None
    transfer_id: int | None = None
    hold_id: int | None = None
    released: int = 0  # POST_HOLD/VOID_HOLD: what the hold gave back to the account
    batch_id: int | None = None  # carbon: take serials from this batch first
    is_batch_strict: bool = False  # carbon: from `batch_id` alone; short of it, the hook raises


Hook = Callable[[Movement], Awaitable[None]]
_hooks: dict[str, list[Hook]] = {}


def on_movement(asset: str, hook: Hook) -> None:
    """Call `hook` for every movement of `asset`; installing the same hook again changes nothing."""
    hooks = _hooks.setdefault(asset, [])
    if hook not in hooks:
        hooks.append(hook)


async def run_hooks(movement: Movement) -> None:
    hooks = _hooks.get(movement.asset)
    if not hooks and movement.asset in FOLLOWED_ASSETS:
        raise HookMissing(asset=movement.asset, reason="core.setup() was not called")
    for hook in hooks or ():
        await hook(movement)
