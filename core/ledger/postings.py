"""Posting: the only way anything moves.

`post` moves every leg or none, in one database transaction, under an
idempotency key: the same key with the same content returns the first posting,
with other content raises KeyConflict. `hold` reserves, `post_hold` moves what
a hold reserved (the rest is released), `void_hold` releases it. Each post
(part) and each void or expiry of a hold is a posting and a HoldStep row of its
own (`hold_history` reads them); the hold row only caches where they leave it.
A kind the database does not know (kinds.py) raises UnknownKind.

Concurrency is safe in the database, not in Python: a debit is a conditional
UPDATE (`... WHERE balance - held >= amount`) whose row count says whether it
happened, accounts are updated in id order so two postings cannot deadlock on
PostgreSQL, and the UNIQUE key stops a twin posting. `post` writes its posting
row first, so the key alone detects a replay (or a twin racing it) before
anything is checked or moved; a replay is answered after the rollback, which
inside a caller's transaction is a savepoint's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import sql
from core.clock import utcnow
from core.ledger.errors import (
    AccountFrozen,
    AmountTooLarge,
    AssetMismatch,
    HoldExceeded,
    HoldExpired,
    HoldNotPending,
    InsufficientFunds,
    KeyConflict,
    NonPositiveAmount,
    SameAccount,
    UnknownAccount,
    UnknownHold,
    UnknownKind,
)
from core.ledger.hooks import Movement, MovementKind, Party, run_hooks
from core.ledger.kinds import Kind
from core.ledger.models import (
    Account,
    Hold,
    HoldAction,
    HoldStatus,
    HoldStep,
    Posting,
    PostingKind,
    Transfer,
)

MAX_KEY_LENGTH = 200
# Amounts and balances are BIGINT columns (signed 64-bit on SQLite and PostgreSQL).
MAX_AMOUNT = 2**63 - 1


@dataclass(frozen=True)
class Leg:
    """Move `amount` from the debit account to the credit account (same asset)."""

    debit_account_id: int
    credit_account_id: int
    amount: int
    batch_id: int | None = None  # carbon only: take serials from this batch first
    is_batch_strict: bool = False  # carbon only: from `batch_id` alone, or refuse the posting

    def content(self) -> dict:
        """What the leg asks for, as fingerprinted (a lenient leg as before strict ones existed)."""
        fields = vars(self).copy()
        if not self.is_batch_strict:
            del fields["is_batch_strict"]
        return fields


@dataclass(frozen=True)
class TransferView:
    id: int
    debit_account_id: int
    credit_account_id: int
    asset: str
    amount: int
    hold_id: int | None


@dataclass(frozen=True)
class PostingView:
    id: int
    key: str
    kind: str
    memo: str
    metadata: dict
    created_at: datetime
    transfers: tuple[TransferView, ...] = field(default=())


@dataclass(frozen=True)
class HoldView:
    id: int
    key: str
    account_id: int
    amount: int
    remaining: int
    status: HoldStatus
    kind: str
    memo: str
    metadata: dict
    expires_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class HoldStepView:
    """One thing that happened to a hold: a post (part), a void or an expiry."""

    id: int
    hold_id: int
    posting_id: int
    action: HoldAction
    posted: int  # moved to the credit account
    released: int  # given back to the account's available balance
    created_at: datetime


def fingerprint_of(content: dict) -> str:
    """SHA-256 of the canonical JSON of a request: the same key must come with the same one."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise KeyConflict(key=key[:40], reason="key must be 1 to 200 characters")


def _check_amount(amount: object) -> int:
    # bool is an int in Python; a True amount is a bug, not one unit.
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise NonPositiveAmount(amount=amount)
    if amount > MAX_AMOUNT:  # the driver would refuse it mid-transaction
        raise AmountTooLarge(amount=amount, maximum=MAX_AMOUNT)
    return amount


async def _posting_view(posting: Posting) -> PostingView:
    transfers = await Transfer.filter(posting_id=posting.id).order_by("id")
    return _posting_view_of(posting, transfers)


def _posting_view_of(posting: Posting, transfers: Sequence[Transfer]) -> PostingView:
    return PostingView(
        id=posting.id,
        key=posting.key,
        kind=posting.kind,
        memo=posting.memo,
        metadata=posting.metadata,
        created_at=posting.created_at,
        transfers=tuple(
            TransferView(
                id=t.id,
                debit_account_id=t.debit_account_id,
                credit_account_id=t.credit_account_id,
                asset=t.asset,
                amount=t.amount,
                hold_id=t.hold_id,
            )
            for t in transfers
        ),
    )


def _hold_view(hold: Hold) -> HoldView:
    return HoldView(
        id=hold.id,
        key=hold.key,
        account_id=hold.account_id,
        amount=hold.amount,
        remaining=hold.remaining,
        status=HoldStatus(hold.status),
        kind=hold.kind,
        memo=hold.memo,
        metadata=hold.metadata,
        expires_at=hold.expires_at,
        created_at=hold.created_at,
    )


async def _refuse_unknown_kind(kind: str) -> None:
    """After an IntegrityError that was no replay: say so if the kind was the cause."""
    if not await PostingKind.exists(code=kind):
        raise UnknownKind(kind=kind)


async def _replayed_posting(key: str, fingerprint: str) -> PostingView | None:
    """The posting already made under `key`, if its content matches."""
    existing = await Posting.get_or_none(key=key)
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise KeyConflict(key=key)
    return await _posting_view(existing)


# The statements of every posting are written out in SQL (core.sql): building them with
# the ORM's query builder cost more than the database work itself (docs/PERFORMANCE.md).
_ROW = "id, owner, role, asset, balance, held, is_nonnegative, is_frozen"
_LOAD = f"SELECT {_ROW} FROM ledger_account WHERE id IN ({{}})"
# After the update balance - held must still be >= 0 for a non-negative account:
# balance - amount >= held - release. No row back says it did not happen (refused,
# frozen or no such account), and the row back names the account, so a posting reads
# its accounts only to say why one was refused.
# The last condition of each keeps a balance inside a 64-bit integer: SQLite would turn
# an overflowing sum into a float, PostgreSQL refuse it mid-transaction.
_DEBIT = (
    "UPDATE ledger_account SET balance = balance - ?, held = held - ?"
    " WHERE id = ? AND NOT is_frozen AND (NOT is_nonnegative OR balance >= held + ?) AND balance >= ?"
    f" RETURNING {_ROW}"
)
_CREDIT = (
    "UPDATE ledger_account SET balance = balance + ? WHERE id = ? AND NOT is_frozen AND balance <= ?"
    f" RETURNING {_ROW}"
)
_HOLD = (
    "UPDATE ledger_account SET held = held + ?"
    " WHERE id = ? AND NOT is_frozen AND (NOT is_nonnegative OR balance >= held + ?)"
)
_INSERT_POSTING = (
    "INSERT INTO ledger_posting (key, kind, memo, metadata, fingerprint, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"
)
# One statement for all of a posting's transfers; ids are handed out in the order of VALUES.
_INSERT_TRANSFERS = (
    "INSERT INTO ledger_transfer (posting_id, debit_account_id, credit_account_id, asset, amount, hold_id,"
    " created_at) VALUES {} RETURNING id"
)
_INSERT_HOLD_STEP = (
    "INSERT INTO ledger_hold_step (hold_id, posting_id, action, posted, released, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_PENDING_HOLD = "SELECT account_id, remaining, status, expires_at FROM ledger_hold WHERE id = ?"
_CLOSE_HOLD = (
    "UPDATE ledger_hold SET remaining = ?, status = ?, closed_at = ?"
    " WHERE id = ? AND status = 'pending' AND remaining = ?"
)


@dataclass(frozen=True)
class _AccountRow:
    id: int
    owner: str
    role: str
    asset: str
    balance: int
    held: int
    is_nonnegative: bool
    is_frozen: bool

    @classmethod
    def of(cls, row) -> _AccountRow:
        return cls(
            id=row["id"],
            owner=row["owner"],
            role=row["role"],
            asset=row["asset"],
            balance=row["balance"],
            held=row["held"],
            is_nonnegative=bool(row["is_nonnegative"]),
            is_frozen=bool(row["is_frozen"]),
        )

    @property
    def party(self) -> Party:
        return Party(self.id, self.owner, self.role, self.is_nonnegative)


def _json(value: dict) -> str:
    return Posting._meta.fields_map["metadata"].to_db_value(value, Posting)


async def _insert_posting(key: str, kind: str, memo: str, metadata: dict, fingerprint: str, now: datetime) -> int:
    """The posting row: UNIQUE(key) refuses a replay (or a twin racing it) right here."""
    [row] = await sql.fetch(_INSERT_POSTING, key, kind, memo[:500], _json(metadata), fingerprint, now)
    return row["id"]


async def _insert_transfers(posting_id: int, rows: Sequence[tuple[int, int, str, int, int | None]],
                            now: datetime) -> list[TransferView]:
    """The posting's transfers (debit, credit, asset, amount, hold), in one statement."""
    values = [v for debit, credit, asset, amount, hold_id in rows
              for v in (posting_id, debit, credit, asset, amount, hold_id, now)]
    inserted = await sql.fetch(_INSERT_TRANSFERS.format(sql.placeholders(len(rows), 7)), *values)
    ids = sorted(row["id"] for row in inserted)
    return [TransferView(id=i, debit_account_id=debit, credit_account_id=credit, asset=asset, amount=amount,
                         hold_id=hold_id)
            for i, (debit, credit, asset, amount, hold_id) in zip(ids, rows, strict=True)]


async def _load_accounts(ids: set[int]) -> dict[int, _AccountRow]:
    ordered = sorted(ids)
    rows = await sql.fetch(_LOAD.format(sql.placeholders(len(ordered))), *ordered)
    accounts = {row["id"]: _AccountRow.of(row) for row in rows}
    for account_id in ordered:
        if account_id not in accounts:
            raise UnknownAccount(account_id=account_id)
    return accounts


def _check_legs(legs: Sequence[Leg], accounts: dict[int, _AccountRow]) -> None:
    """A posting's checks, leg by leg: one asset per leg, no frozen account."""
    for leg in legs:
        debit, credit = accounts[leg.debit_account_id], accounts[leg.credit_account_id]
        if debit.asset != credit.asset:
            raise AssetMismatch(debit_asset=debit.asset, credit_asset=credit.asset)
        for account in (debit, credit):
            if account.is_frozen:
                raise AccountFrozen(account_id=account.id)


async def _refuse_debit(account_id: int, requested: int) -> None:
    """Say why a conditional update changed nothing: frozen, or not enough."""
    fresh = (await _load_accounts({account_id}))[account_id]
    if fresh.is_frozen:
        raise AccountFrozen(account_id=account_id)
    if fresh.balance < requested - MAX_AMOUNT:  # an unbounded account at the 64-bit floor
        raise AmountTooLarge(amount=requested, maximum=fresh.balance + MAX_AMOUNT, account_id=account_id)
    raise InsufficientFunds(
        account_id=account_id, available=fresh.balance - fresh.held, requested=requested
    )


async def _refuse_credit(account_id: int, amount: int) -> None:
    fresh = (await _load_accounts({account_id}))[account_id]
    if fresh.is_frozen:
        raise AccountFrozen(account_id=account_id)
    raise AmountTooLarge(amount=amount, maximum=MAX_AMOUNT - fresh.balance, account_id=account_id)


async def _debit(account_id: int, amount: int, release: int = 0) -> _AccountRow | None:
    """balance -= amount, held -= release; None if it would overdraw, is frozen or is no account."""
    rows = await sql.fetch(_DEBIT, amount, release, account_id, amount - release, amount - MAX_AMOUNT)
    return _AccountRow.of(rows[0]) if rows else None


async def _credit(account_id: int, amount: int) -> _AccountRow | None:
    """balance += amount; None if the account is frozen, would overflow or is no account."""
    rows = await sql.fetch(_CREDIT, amount, account_id, MAX_AMOUNT - amount)
    return _AccountRow.of(rows[0]) if rows else None


async def _refuse_change(account_id: int, delta: int) -> None:
    """Say why the update of one account's `delta` was refused."""
    await (_refuse_debit(account_id, -delta) if delta < 0 else _refuse_credit(account_id, delta))


async def _move(net: dict[int, int], refuse, release: dict[int, int] | None = None) -> dict[int, _AccountRow]:
    """Apply each account's net change, in id order (one lock order: no deadlock between
    postings), a debited account's `release` given back from its held amount; the accounts
    as they stand after. `refuse(account_id, delta)` raises the reason an update was refused
    (the whole posting rolls back)."""
    moved: dict[int, _AccountRow] = {}
    for account_id in sorted(net):
        delta = net[account_id]
        if delta < 0:
            row = await _debit(account_id, -delta, (release or {}).get(account_id, 0))
        elif delta > 0:
            row = await _credit(account_id, delta)
        else:
            continue
        if row is None:
            await refuse(account_id, delta)
        moved[account_id] = row
    return moved


async def post(
    key: str,
    kind: str,
    legs: Sequence[Leg],
    *,
    memo: str = "",
    metadata: dict | None = None,
    now: datetime | None = None,
) -> PostingView:
    """Move every leg or none. The same key again returns the first posting."""
    _check_key(key)
    if not legs:
        raise NonPositiveAmount(amount=0, reason="a posting needs at least one leg")
    for leg in legs:
        _check_amount(leg.amount)
        if leg.debit_account_id == leg.credit_account_id:
            raise SameAccount(account_id=leg.debit_account_id)
    metadata = metadata or {}
    fingerprint = fingerprint_of(
        {"kind": kind, "memo": memo, "metadata": metadata, "legs": [leg.content() for leg in legs]}
    )
    ids = {leg.debit_account_id for leg in legs} | {leg.credit_account_id for leg in legs}
    net: dict[int, int] = dict.fromkeys(ids, 0)
    for leg in legs:
        net[leg.debit_account_id] -= leg.amount
        net[leg.credit_account_id] += leg.amount

    async def refuse(account_id: int, delta: int) -> None:
        # The checks in their order (unknown account, assets, frozen), then this account's reason.
        _check_legs(legs, await _load_accounts(ids))
        await _refuse_change(account_id, delta)

    now = now or utcnow()
    try:
        async with in_transaction():
            # The posting row comes first: UNIQUE(key) refuses a replay (or a twin
            # racing it) before anything is checked or moved, and the handler below
            # answers it. One round trip fewer than looking the key up first.
            posting_id = await _insert_posting(key, kind, memo, metadata, fingerprint, now)
            accounts = await _move(net, refuse)
            if unmoved := ids - accounts.keys():  # an account a leg passes through (net zero)
                accounts |= await _load_accounts(unmoved)
            _check_legs(legs, accounts)
            transfers = await _insert_transfers(posting_id, [
                (leg.debit_account_id, leg.credit_account_id, accounts[leg.debit_account_id].asset, leg.amount,
                 None) for leg in legs
            ], now)
            for leg, transfer in zip(legs, transfers, strict=True):
                await run_hooks(
                    Movement(
                        kind=MovementKind.TRANSFER,
                        asset=transfer.asset,
                        amount=leg.amount,
                        debit_account_id=leg.debit_account_id,
                        credit_account_id=leg.credit_account_id,
                        debit=accounts[leg.debit_account_id].party,
                        credit=accounts[leg.credit_account_id].party,
                        posting_id=posting_id,
                        transfer_id=transfer.id,
                        batch_id=leg.batch_id,
                        is_batch_strict=leg.is_batch_strict,
                    )
                )
    except IntegrityError:
        # The key was used before, or a concurrent request committed it first.
        if (done := await _replayed_posting(key, fingerprint)) is not None:
            return done
        await _refuse_unknown_kind(kind)
        raise
    return PostingView(id=posting_id, key=key, kind=kind, memo=memo[:500], metadata=metadata, created_at=now,
                       transfers=tuple(transfers))


async def hold(
    key: str,
    account_id: int,
    amount: int,
    kind: str,
    *,
    memo: str = "",
    metadata: dict | None = None,
    expires_at: datetime | None = None,
    batch_id: int | None = None,
    is_batch_strict: bool = False,
    now: datetime | None = None,
) -> HoldView:
    """Reserve `amount` of the account's available balance until posted or voided.

    Carbon: the serials of `batch_id` first; with `is_batch_strict` those alone,
    and a batch that runs short refuses the hold (nothing is written).
    """
    _check_key(key)
    _check_amount(amount)
    metadata = metadata or {}
    fingerprint = fingerprint_of(
        {
            "account_id": account_id,
            "amount": amount,
            "kind": kind,
            "memo": memo,
            "metadata": metadata,
            "expires_at": expires_at,
            "batch_id": batch_id,
        }
        | ({"is_batch_strict": True} if is_batch_strict else {})
    )

    async def replayed() -> HoldView | None:
        existing = await Hold.get_or_none(key=key)
        if existing is None:
            return None
        if existing.fingerprint != fingerprint:
            raise KeyConflict(key=key)
        return _hold_view(existing)

    try:
        async with in_transaction():
            if (done := await replayed()) is not None:
                return done
            account = (await _load_accounts({account_id}))[account_id]
            if account.is_frozen:
                raise AccountFrozen(account_id=account_id)
            changed = await sql.execute(_HOLD, amount, account_id, amount)
            if not changed:
                await _refuse_debit(account_id, amount)
            created = await Hold.create(
                key=key,
                account_id=account_id,
                amount=amount,
                remaining=amount,
                status=HoldStatus.PENDING,
                kind=kind,
                memo=memo[:500],
                metadata=metadata,
                fingerprint=fingerprint,
                expires_at=expires_at,
                created_at=now or utcnow(),
            )
            await run_hooks(
                Movement(
                    kind=MovementKind.HOLD,
                    asset=account.asset,
                    amount=amount,
                    debit_account_id=account_id,
                    debit=account.party,
                    hold_id=created.id,
                    batch_id=batch_id,
                    is_batch_strict=is_batch_strict,
                )
            )
    except IntegrityError:
        if (done := await replayed()) is not None:
            return done
        await _refuse_unknown_kind(kind)
        raise
    return _hold_view(created)


async def _close_hold(hold_id: int, read_remaining: int, remaining: int, status: HoldStatus, now: datetime) -> None:
    """Move the hold on from the state we read (pending, `read_remaining`); refused if someone
    else moved it first."""
    if not await sql.execute(_CLOSE_HOLD, remaining, status.value, None if status == HoldStatus.PENDING else now,
                             hold_id, read_remaining):
        raise HoldNotPending(hold_id=hold_id)


async def post_hold(
    key: str,
    hold_id: int,
    credit_account_id: int,
    *,
    amount: int | None = None,
    release_rest: bool = True,
    kind: str = Kind.POST_HOLD,
    memo: str = "",
    metadata: dict | None = None,
    now: datetime | None = None,
) -> PostingView:
    """Move `amount` (default: all) of what the hold reserves to the credit account.

    With `release_rest` the rest goes back to the account (TigerBeetle's
    post-pending); without it the hold stays pending for a later partial post.
    """
    _check_key(key)
    now = now or utcnow()
    metadata = metadata or {}
    fingerprint = fingerprint_of(
        {
            "hold_id": hold_id,
            "credit": credit_account_id,
            "amount": amount,
            "release_rest": release_rest,
            "kind": kind,
            "memo": memo,
            "metadata": metadata,
        }
    )
    try:
        async with in_transaction():
            # The posting row first, as in `post`: UNIQUE(key) refuses a replay before anything
            # is read, and the handler below answers it.
            stored = {**metadata, "hold_id": hold_id}
            posting_id = await _insert_posting(key, kind, memo, stored, fingerprint, now)
            rows = await sql.fetch(_PENDING_HOLD, hold_id)
            if not rows:
                raise UnknownHold(hold_id=hold_id)
            held = rows[0]
            debit_id, remaining, expires_at = held["account_id"], held["remaining"], held["expires_at"]
            if held["status"] != HoldStatus.PENDING:
                raise HoldNotPending(hold_id=hold_id, status=HoldStatus(held["status"]))
            if isinstance(expires_at, str):  # SQLite keeps the text Tortoise wrote
                expires_at = Hold._meta.fields_map["expires_at"].to_python_value(expires_at)
            if expires_at is not None and now >= expires_at:
                raise HoldExpired(hold_id=hold_id, expires_at=expires_at)
            move = remaining if amount is None else _check_amount(amount)
            if move > remaining:
                raise HoldExceeded(hold_id=hold_id, remaining=remaining, requested=move)
            if credit_account_id == debit_id:
                raise SameAccount(account_id=credit_account_id)
            left = remaining - move
            release = remaining if release_rest else move
            status = HoldStatus.POSTED if (release_rest or left == 0) else HoldStatus.PENDING
            await _close_hold(hold_id, remaining, 0 if status == HoldStatus.POSTED else left, status, now)

            async def refuse(account_id: int, delta: int) -> None:
                accounts = await _load_accounts({debit_id, credit_account_id})
                if accounts[debit_id].asset != accounts[credit_account_id].asset:
                    raise AssetMismatch(debit_asset=accounts[debit_id].asset,
                                        credit_asset=accounts[credit_account_id].asset)
                await _refuse_change(account_id, delta)

            moved = await _move({debit_id: -move, credit_account_id: move}, refuse, release={debit_id: release})
            debit, credit = moved[debit_id], moved[credit_account_id]
            if debit.asset != credit.asset:
                raise AssetMismatch(debit_asset=debit.asset, credit_asset=credit.asset)
            [transfer] = await _insert_transfers(posting_id, [(debit.id, credit.id, debit.asset, move, hold_id)], now)
            await sql.execute(_INSERT_HOLD_STEP, hold_id, posting_id, HoldAction.POST.value, move, release - move, now)
            await run_hooks(
                Movement(
                    kind=MovementKind.POST_HOLD,
                    asset=debit.asset,
                    amount=move,
                    debit_account_id=debit.id,
                    credit_account_id=credit.id,
                    debit=debit.party,
                    credit=credit.party,
                    posting_id=posting_id,
                    transfer_id=transfer.id,
                    hold_id=hold_id,
                    released=release - move,
                )
            )
    except IntegrityError:
        if (done := await _replayed_posting(key, fingerprint)) is not None:
            return done
        await _refuse_unknown_kind(kind)
        raise
    return PostingView(id=posting_id, key=key, kind=kind, memo=memo[:500], metadata=stored, created_at=now,
                       transfers=(transfer,))


async def void_hold(
    key: str,
    hold_id: int,
    *,
    kind: str = Kind.VOID_HOLD,
    memo: str = "",
    now: datetime | None = None,
    status: HoldStatus = HoldStatus.VOIDED,
) -> PostingView:
    """Release everything the hold still reserves: a posting with no transfer, and a HoldStep.

    `status` EXPIRED records an expiry (expire_holds), VOIDED a void.
    """
    action = {HoldStatus.VOIDED: HoldAction.VOID, HoldStatus.EXPIRED: HoldAction.EXPIRE}.get(status)
    if action is None:
        raise ValueError(f"a void leaves a hold voided or expired, not {status}")
    _check_key(key)
    now = now or utcnow()
    fingerprint = fingerprint_of({"void": hold_id, "kind": kind, "memo": memo, "status": status})
    try:
        async with in_transaction():
            if (done := await _replayed_posting(key, fingerprint)) is not None:
                return done
            hold_row = await Hold.get_or_none(id=hold_id)
            if hold_row is None:
                raise UnknownHold(hold_id=hold_id)
            if hold_row.status != HoldStatus.PENDING:
                raise HoldNotPending(hold_id=hold_id, status=hold_row.status)
            released = hold_row.remaining
            await _close_hold(hold_id, hold_row.remaining, 0, status, now)
            posting = await Posting.create(
                key=key,
                kind=kind,
                memo=memo[:500],
                metadata={"hold_id": hold_id, "released": released},
                fingerprint=fingerprint,
                created_at=now,
            )
            await HoldStep.create(
                hold_id=hold_id,
                posting_id=posting.id,
                action=action,
                posted=0,
                released=released,
                created_at=now,
            )
            account = await Account.get(id=hold_row.account_id)
            # Releasing never overdraws, and a frozen account may still get its hold back.
            await Account.filter(id=account.id).update(held=F("held") - released)
            await run_hooks(
                Movement(
                    kind=MovementKind.VOID_HOLD,
                    asset=account.asset,
                    amount=0,
                    debit_account_id=account.id,
                    debit=Party(account.id, account.owner, account.role, account.is_nonnegative),
                    posting_id=posting.id,
                    hold_id=hold_id,
                    released=released,
                )
            )
    except IntegrityError:
        if (done := await _replayed_posting(key, fingerprint)) is not None:
            return done
        await _refuse_unknown_kind(kind)
        raise
    return await _posting_view(posting)


async def expire_holds(now: datetime | None = None) -> list[int]:
    """Release every pending hold whose time is up; returns their ids (a job runs this)."""
    now = now or utcnow()
    due = await Hold.filter(status=HoldStatus.PENDING, expires_at__lte=now).values_list("id", flat=True)
    expired = []
    for hold_id in due:
        try:
            await void_hold(
                f"expire:{hold_id}", hold_id, kind=Kind.EXPIRE_HOLD, now=now, status=HoldStatus.EXPIRED
            )
            expired.append(hold_id)
        except HoldNotPending:  # posted or voided a moment ago
            continue
    return expired


async def get_hold(hold_id: int) -> HoldView:
    hold_row = await Hold.get_or_none(id=hold_id)
    if hold_row is None:
        raise UnknownHold(hold_id=hold_id)
    return _hold_view(hold_row)


async def hold_history(hold_id: int) -> tuple[HoldStepView, ...]:
    """What happened to a hold after it was made, oldest first: a row per post (part), void, expiry."""
    if not await Hold.exists(id=hold_id):
        raise UnknownHold(hold_id=hold_id)
    return tuple(
        HoldStepView(
            id=step.id,
            hold_id=step.hold_id,
            posting_id=step.posting_id,
            action=HoldAction(step.action),
            posted=step.posted,
            released=step.released,
            created_at=step.created_at,
        )
        for step in await HoldStep.filter(hold_id=hold_id).order_by("id")
    )


async def get_posting(key: str) -> PostingView | None:
    posting = await Posting.get_or_none(key=key)
    return None if posting is None else await _posting_view(posting)
