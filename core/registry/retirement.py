"""Retirement: credits leave circulation for good, for a named beneficiary.

`retire` posts the credits to the system retirement account through the
ledger (the movement hook marks their blocks RETIRED, tagged with the
posting) and records the Retirement row in the same transaction: both or
neither. The row's serial ranges are the retired blocks of its posting.
The caller's `key` makes it idempotent: the same key with the same request
returns the first retirement, with another request (account, amount, batch,
hold, beneficiary or reason) raises KeyConflict; the ledger's conditional debit makes
concurrent retirements from one account safe (each succeeds or raises
InsufficientFunds, never overdraws).
"""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core import ids, ledger
from core.clock import utcnow
from core.ledger import CARBON, Leg, Role
from core.ledger.errors import KeyConflict
from core.ledger.postings import fingerprint_of
from core.registry.errors import InvalidRetirement
from core.registry.issuance import check_amount_kg, check_key
from core.registry.models import BlockStatus, Retirement, SerialBlock
from core.registry.serials import format_serial
from core.registry.views import RetirementView, SerialRangeView, retirement_view

# "R" and 10 characters of Crockford's base 32 (core.ids): 50 random bits,
# read aloud and typed without confusion.
PUBLIC_ID_PREFIX = "R"
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    return ids.new_id(PUBLIC_ID_PREFIX, PUBLIC_ID_LENGTH)


def normalize_retirement_id(text: str) -> str:
    """What a person typed ("r7k3-m9q2-xa", "R7K3M9Q2XO"), as the id it means."""
    return ids.normalize(str(text))


def is_retirement_id(text: str) -> bool:
    return ids.is_id(normalize_retirement_id(text), PUBLIC_ID_PREFIX, PUBLIC_ID_LENGTH)


def _check_words(beneficiary: str, reason: str) -> tuple[str, str]:
    beneficiary, reason = (beneficiary or "").strip(), (reason or "").strip()
    if not beneficiary or len(beneficiary) > 200:
        raise InvalidRetirement(field="beneficiary", max_length=200)
    if len(reason) > 500:
        raise InvalidRetirement(field="reason", max_length=500)
    return beneficiary, reason


async def retired_ranges(retirement: Retirement) -> list[SerialRangeView]:
    rows = await (
        SerialBlock.filter(retired_posting_id=retirement.posting_id, status=BlockStatus.RETIRED)
        .order_by("serial_first")
        .values("batch_id", "serial_first", "serial_last", "batch__vintage", "batch__project__code", "batch__project__name")
    )
    return [
        SerialRangeView(
            serial=format_serial(r["batch__project__code"], r["batch__vintage"], r["serial_first"], r["serial_last"]),
            project_code=r["batch__project__code"],
            project_name=r["batch__project__name"],
            batch_id=r["batch_id"],
            vintage=r["batch__vintage"],
            first=r["serial_first"],
            last=r["serial_last"],
            status=BlockStatus.RETIRED.value,
            retirement_id=retirement.public_id,
            beneficiary=retirement.beneficiary,
            reason=retirement.reason,
            retired_at=retirement.created_at,
        )
        for r in rows
    ]


async def _view(retirement: Retirement) -> RetirementView:
    return retirement_view(retirement, await retired_ranges(retirement))


async def _recorded(key: str, fingerprint: str) -> RetirementView | None:
    """The retirement already made under `key`, if it was asked for the same thing."""
    existing = await Retirement.get_or_none(key=key)
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise KeyConflict(key=key)
    return await _view(existing)


async def _record(
    key: str,
    fingerprint: str,
    account_id: int,
    posting: ledger.PostingView,
    beneficiary: str,
    reason: str,
    now: datetime,
) -> Retirement:
    amount_kg = sum(t.amount for t in posting.transfers)
    return await Retirement.create(
        public_id=new_public_id(),
        key=key,  # UNIQUE: a racing twin fails here and returns ours
        fingerprint=fingerprint,
        account_id=account_id,
        amount_kg=amount_kg,
        beneficiary=beneficiary,
        reason=reason,
        posting_id=posting.id,
        created_at=now,
    )


async def retire(
    account_id: int,
    amount_kg: int,
    beneficiary: str,
    reason: str,
    *,
    key: str,
    batch_id: int | None = None,
    is_batch_strict: bool = False,
    now: datetime | None = None,
) -> RetirementView:
    """Retire `amount_kg` of the account's credits (from `batch_id` first) for `beneficiary`.

    With `is_batch_strict`, from `batch_id` alone (BatchExhausted if it falls short).
    """
    now = now or utcnow()
    check_key(key)
    check_amount_kg(amount_kg)
    beneficiary, reason = _check_words(beneficiary, reason)
    fingerprint = fingerprint_of(
        {
            "account_id": account_id,
            "amount_kg": amount_kg,
            "batch_id": batch_id,
            "beneficiary": beneficiary,
            "reason": reason,
        }
        | ({"is_batch_strict": True} if is_batch_strict else {})
    )
    # No look-up of the key first: the posting's own key answers a replay (and a twin
    # racing it), and the retirement's UNIQUE key then sends it to the handler below.
    retirement_account = await ledger.system_account(Role.RETIREMENT, CARBON)
    try:
        async with in_transaction():
            posting = await ledger.post(
                f"retire:{key}",
                "retirement",
                [Leg(account_id, retirement_account.id, amount_kg, batch_id=batch_id, is_batch_strict=is_batch_strict)],
                memo=f"for {beneficiary}"[:500],
                metadata={"beneficiary": beneficiary, "reason": reason},
                now=now,
            )
            row = await _record(key, fingerprint, account_id, posting, beneficiary, reason, now)
    except IntegrityError:
        if (done := await _recorded(key, fingerprint)) is not None:
            return done
        raise
    return await _view(row)


async def retire_held(
    hold_id: int,
    beneficiary: str,
    reason: str,
    *,
    key: str,
    now: datetime | None = None,
) -> RetirementView:
    """Retire everything a pending carbon hold reserves (a paid purchase retires its hold)."""
    now = now or utcnow()
    check_key(key)
    beneficiary, reason = _check_words(beneficiary, reason)
    fingerprint = fingerprint_of({"hold_id": hold_id, "beneficiary": beneficiary, "reason": reason})
    if (done := await _recorded(key, fingerprint)) is not None:
        return done
    held = await ledger.get_hold(hold_id)
    retirement_account = await ledger.system_account(Role.RETIREMENT, CARBON)
    try:
        async with in_transaction():
            posting = await ledger.post_hold(
                f"retire:{key}",
                hold_id,
                retirement_account.id,
                kind="retirement",
                memo=f"for {beneficiary}"[:500],
                metadata={"beneficiary": beneficiary, "reason": reason},
                now=now,
            )
            row = await _record(key, fingerprint, held.account_id, posting, beneficiary, reason, now)
    except IntegrityError:
        if (done := await _recorded(key, fingerprint)) is not None:
            return done
        raise
    return await _view(row)


async def get_retirement(public_id: str) -> RetirementView | None:
    row = await Retirement.get_or_none(public_id=normalize_retirement_id(public_id))
    return None if row is None else await _view(row)
