"""Movement hooks: how areas above the ledger follow its movements.

The registry breaks each account's carbon balance down into serial blocks, so
every carbon movement must move blocks in the same database transaction. The
ledger cannot import the registry (imports point down), so the registry
registers a hook here. Hooks run inside the posting's transaction; an error in
a hook rolls the whole posting back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum


class MovementKind(StrEnum):
    TRANSFER = "transfer"  # amount moved debit -> credit
    HOLD = "hold"  # amount reserved on debit_account_id
    POST_HOLD = "post_hold"  # amount of hold moved debit -> credit; released the rest
    VOID_HOLD = "void_hold"  # amount of hold released, nothing moved


@dataclass(frozen=True)
class Movement:
    kind: MovementKind
    asset: str
    amount: int
    debit_account_id: int
    credit_account_id: int | None = None
    posting_id: int | None = None
    transfer_id: int | None = None
    hold_id: int | None = None
    released: int = 0  # POST_HOLD/VOID_HOLD: what the hold gave back to the account
    batch_id: int | None = None  # carbon: take serials from this batch first
    is_batch_strict: bool = False  # carbon: from `batch_id` alone; short of it, the hook raises


Hook = Callable[[Movement], Awaitable[None]]
_hooks: dict[str, list[Hook]] = {}


def on_movement(asset: str, hook: Hook) -> None:
    """Call `hook` for every movement of `asset` (registered once, at import)."""
    hooks = _hooks.setdefault(asset, [])
    if hook not in hooks:
        hooks.append(hook)


async def run_hooks(movement: Movement) -> None:
    for hook in _hooks.get(movement.asset, ()):
        await hook(movement)
