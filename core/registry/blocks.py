"""Serial blocks follow the ledger: every carbon movement moves blocks.

`follow_movement` is installed with `core.ledger.on_movement(CARBON, ...)` by
`core.setup()`, and runs inside the posting's transaction, so a movement and
its blocks commit or roll back together. A process that never called
`core.setup()` cannot move carbon at all: the ledger raises HookMissing.

Rules:
- A transfer out of the issuance account must name a batch: it hands out the
  batch's next unallocated serials. Carbon from or to any other account that
  mirrors the outside world (unbounded accounts) is refused: carbon enters
  circulation by issuance only and leaves it by retirement only.
- A transfer moves `amount` serials of the debit account's active blocks,
  the named batch first, then lowest serial first, splitting one block at most
  (the last one touched). A batch-strict movement (a buyer chose a project)
  takes the named batch alone and raises BatchExhausted when it runs short,
  rolling the posting back: it never hands out another project's serials. Into the retirement account they become RETIRED,
  tagged with the posting; retired blocks never move (a posting out of the
  retirement account raises, rolling the posting back). Into the cancellation
  account (a loss cancelled out of a buffer pool) they become CANCELLED and never move either.
- A hold marks serials HELD, tagged with the hold; posting the hold moves its
  held serials (lowest first) and releases the rest to ACTIVE; voiding
  releases them all.
- Moved ranges merge with touching blocks of the same batch, account and
  state, so an account's blocks do not fragment without end.

Concurrency: the ledger has already updated (and so, on PostgreSQL, locked)
the rows of every account whose blocks change here, so two movements never
rework the same account's blocks at once.

Cost: a few queries per block touched, never per serial.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import sql
from core.ledger import CARBON, Movement, MovementKind, Role
from core.ledger.accounts import SYSTEM
from core.ledger.hooks import Party
from core.registry.errors import (
    BatchExhausted,
    CarbonOutsideRegistry,
    RetiredCreditsNeverMove,
    SerialsMissing,
    UnknownBatch,
)
from core.registry.models import Batch, BlockStatus, SerialBlock

PAGE = 50  # blocks read per query while collecting an amount


@dataclass(frozen=True)
class Range:
    batch_id: int
    first: int
    last: int

    @property
    def amount_kg(self) -> int:
        return self.last - self.first + 1


def _is(party: Party, role: Role) -> bool:
    """Whether the movement's account is the system's account of `role`."""
    return party.owner == SYSTEM and party.role == role


# The block statements are written out in SQL (core.sql): a payment runs eight of them.
_BLOCKS = (
    "SELECT id, batch_id, serial_first, serial_last FROM registry_serial_block"
    " WHERE account_id = ? AND status = ? AND {}"
)
_PAGE_OF = " ORDER BY serial_first LIMIT " + str(PAGE)
_NEIGHBOURS = " AND batch_id = ? AND (serial_last = ? OR serial_first = ?)"
_SET_FIRST = "UPDATE registry_serial_block SET serial_first = ? WHERE id = ?"
_SET_LAST = "UPDATE registry_serial_block SET serial_last = ? WHERE id = ?"
_DELETE = "DELETE FROM registry_serial_block WHERE id IN ({})"
_INSERT = (
    "INSERT INTO registry_serial_block (batch_id, serial_first, serial_last, account_id, status, hold_id,"
    " retired_posting_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _blocks(account_id: int, status: BlockStatus, hold_id: int | None,
            retired_posting_id: int | None) -> tuple[str, list]:
    """The SELECT of an account's blocks in one state (of one hold, of one retirement)."""
    tagged = [("hold_id", hold_id), ("retired_posting_id", retired_posting_id)]
    where = " AND ".join(f"{column} = ?" if value is not None else f"{column} IS NULL" for column, value in tagged)
    return _BLOCKS.format(where), [account_id, status.value] + [value for _, value in tagged if value is not None]


async def _delete(ids: list[int]) -> None:
    await sql.execute(_DELETE.format(sql.placeholders(len(ids))), *ids)


async def take(
    account_id: int,
    status: BlockStatus,
    amount: int,
    *,
    batch_id: int | None = None,
    is_batch_strict: bool = False,
    hold_id: int | None = None,
) -> list[Range]:
    """Cut `amount` serials out of the account's blocks in `status`, lowest first.

    With `batch_id`, that batch's blocks go first; with `is_batch_strict` too,
    only they (BatchExhausted if they fall short). Whole blocks are deleted and
    at most one block is shortened; the caller places the ranges elsewhere.
    """
    if is_batch_strict and batch_id is None:
        raise ValueError("a batch-strict movement names its batch")
    remaining = amount
    taken: list[Range] = []
    query, values = _blocks(account_id, status, hold_id, None)
    sources = ([(query + " AND batch_id = ?", [*values, batch_id])] if batch_id is not None else []) + (
        [] if is_batch_strict else [(query, values)]
    )
    for text, arguments in sources:
        while remaining > 0:
            page = await sql.fetch(text + _PAGE_OF, *arguments)
            whole: list[int] = []
            for block in page:
                if remaining == 0:
                    break
                first, last = block["serial_first"], block["serial_last"]
                size = last - first + 1
                if size <= remaining:
                    whole.append(block["id"])
                    taken.append(Range(block["batch_id"], first, last))
                    remaining -= size
                    continue
                # Lowest serials leave; the block keeps its upper part.
                await sql.execute(_SET_FIRST, first + remaining, block["id"])
                taken.append(Range(block["batch_id"], first, first + remaining - 1))
                remaining = 0
                break
            if whole:
                await _delete(whole)
            if remaining == 0 or len(page) < PAGE:
                break
        if remaining == 0:
            break
    if remaining > 0 and is_batch_strict:
        raise BatchExhausted(account_id=account_id, batch_id=batch_id, missing_kg=remaining)
    if remaining > 0:
        raise SerialsMissing(account_id=account_id, status=status.value, missing_kg=remaining)
    return taken


def coalesce(ranges: list[Range]) -> list[Range]:
    """Touching ranges of one batch as one."""
    merged: list[Range] = []
    for r in sorted(ranges, key=lambda r: r.first):
        if merged and merged[-1].batch_id == r.batch_id and merged[-1].last + 1 == r.first:
            merged[-1] = Range(r.batch_id, merged[-1].first, r.last)
        else:
            merged.append(r)
    return merged


async def place(
    ranges: list[Range],
    account_id: int,
    status: BlockStatus,
    *,
    hold_id: int | None = None,
    retired_posting_id: int | None = None,
) -> None:
    """Put ranges (already cut from where they were) into the account, merging neighbours."""
    query, values = _blocks(account_id, status, hold_id, retired_posting_id)
    for r in coalesce(ranges):
        neighbours = await sql.fetch(query + _NEIGHBOURS, *values, r.batch_id, r.first - 1, r.last + 1)
        left = next((b for b in neighbours if b["serial_last"] == r.first - 1), None)
        right = next((b for b in neighbours if b["serial_first"] == r.last + 1), None)
        # Delete before widening: `first` and `last` are UNIQUE.
        if left and right:
            await _delete([right["id"]])
            await sql.execute(_SET_LAST, right["serial_last"], left["id"])
        elif left:
            await sql.execute(_SET_LAST, r.last, left["id"])
        elif right:
            await sql.execute(_SET_FIRST, r.first, right["id"])
        else:
            await sql.execute(_INSERT, r.batch_id, r.first, r.last, account_id, status.value, hold_id,
                              retired_posting_id)


async def allocate(batch_id: int, amount: int) -> list[Range]:
    """The batch's next `amount` serials that no block holds yet (issuance only)."""
    batch = await Batch.get_or_none(id=batch_id)
    if batch is None:
        raise UnknownBatch(batch_id=batch_id)
    top = await SerialBlock.filter(batch_id=batch_id).order_by("-serial_first").first()
    first = batch.serial_first if top is None else top.serial_last + 1
    if first + amount - 1 > batch.serial_last:
        raise CarbonOutsideRegistry(batch_id=batch_id, reason="batch already issued")
    return [Range(batch_id, first, first + amount - 1)]


def _check_ends(debit: Party, credit: Party | None) -> None:
    if _is(debit, Role.RETIREMENT) or _is(debit, Role.CANCELLATION):
        raise RetiredCreditsNeverMove(account_id=debit.id)
    if not debit.is_nonnegative and not _is(debit, Role.ISSUANCE):
        raise CarbonOutsideRegistry(account_id=debit.id, role=debit.role)
    if credit is not None and not credit.is_nonnegative:
        raise CarbonOutsideRegistry(account_id=credit.id, role=credit.role)


def _target(credit: Party, posting_id: int | None) -> dict:
    if _is(credit, Role.RETIREMENT):
        return {"status": BlockStatus.RETIRED, "retired_posting_id": posting_id}
    if _is(credit, Role.CANCELLATION):
        return {"status": BlockStatus.CANCELLED}
    return {"status": BlockStatus.ACTIVE}


async def follow_movement(m: Movement) -> None:
    """Move the blocks a carbon movement moved (runs inside the posting's transaction)."""
    if m.asset != CARBON:
        return
    debit, credit = m.debit, m.credit  # the accounts as the ledger read them
    if m.kind == MovementKind.TRANSFER:
        _check_ends(debit, credit)
        if _is(debit, Role.ISSUANCE):
            if m.batch_id is None:
                raise CarbonOutsideRegistry(account_id=debit.id, reason="issuance names no batch")
            ranges = await allocate(m.batch_id, m.amount)
        else:
            ranges = await take(
                debit.id, BlockStatus.ACTIVE, m.amount, batch_id=m.batch_id, is_batch_strict=m.is_batch_strict
            )
        await place(ranges, credit.id, **_target(credit, m.posting_id))
    elif m.kind == MovementKind.HOLD:
        _check_ends(debit, None)
        ranges = await take(
            debit.id, BlockStatus.ACTIVE, m.amount, batch_id=m.batch_id, is_batch_strict=m.is_batch_strict
        )
        await place(ranges, debit.id, BlockStatus.HELD, hold_id=m.hold_id)
    elif m.kind == MovementKind.POST_HOLD:
        _check_ends(debit, credit)
        ranges = await take(debit.id, BlockStatus.HELD, m.amount, hold_id=m.hold_id)
        await place(ranges, credit.id, **_target(credit, m.posting_id))
        await _release(debit.id, m.hold_id, m.released)
    elif m.kind == MovementKind.VOID_HOLD:
        await _release(debit.id, m.hold_id, m.released)


async def _release(account_id: int, hold_id: int | None, amount: int) -> None:
    if amount > 0:
        ranges = await take(account_id, BlockStatus.HELD, amount, hold_id=hold_id)
        await place(ranges, account_id, BlockStatus.ACTIVE)
