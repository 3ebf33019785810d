"""Issuance: new credits of one project and vintage enter circulation.

`issue_batch` takes a global serial range from the counter row, records the
batch and posts it through the ledger (issuance account -> the producer's
wallet, and floor(kg x buffer% / 100) -> the project's buffer account) in one
transaction; the ledger's movement hook creates the serial blocks. The
buffer share is rounded down so the producer is never short-changed by
rounding and the pool never takes more than its percent.

The caller's `key` makes issuance idempotent: the same key again returns the
first batch. `issue_reduction` issues what a project reports in tonnes (or kg)
of a gas, converted with core.registry.gases (rounded down: never issue more
than was reduced).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import ledger
from core.clock import utcnow
from core.ledger import CARBON, Leg, Role
from core.ledger.errors import KeyConflict
from core.registry.errors import (
    AmbiguousGas,
    AmountNotPositive,
    ProjectNotApproved,
    VintageInFuture,
    VintageTooOld,
)
from core.registry.gases import Gas, parse_gas, to_co2e_kg
from core.registry.methodologies import get_methodology
from core.registry.models import Batch, Project, ProjectStatus, SerialCounter
from core.registry.projects import project_row
from core.registry.views import BatchView, batch_view

# Kyoto's base year: no credible vintage comes before it.
OLDEST_VINTAGE = 1990
MAX_KEY_LENGTH = 180  # the ledger key adds a prefix and allows 200
_COUNTER_ID = 1


def check_amount_kg(amount_kg: object) -> int:
    if not isinstance(amount_kg, int) or isinstance(amount_kg, bool) or amount_kg <= 0:
        raise AmountNotPositive(amount_kg=amount_kg)
    return amount_kg


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise KeyConflict(key=str(key)[:40], reason="key must be 1 to 180 characters")
    return key


async def _reserve_serials(amount_kg: int) -> int:
    """The first of `amount_kg` fresh serials (inside the caller's transaction).

    The UPDATE locks the counter row until the issuing transaction ends, so
    concurrent issuers get consecutive, non-overlapping ranges.
    """
    for _ in range(3):
        if await SerialCounter.filter(id=_COUNTER_ID).update(next_serial=F("next_serial") + amount_kg):
            counter = await SerialCounter.get(id=_COUNTER_ID)
            return counter.next_serial - amount_kg
        try:
            async with in_transaction():  # a savepoint: a twin row only undoes this
                await SerialCounter.create(id=_COUNTER_ID, next_serial=1)
        except IntegrityError:
            pass  # another issuer made it first
    raise RuntimeError("serial counter row cannot be created")


async def _replayed(key: str, project: Project, vintage: int, amount_kg: int) -> BatchView | None:
    batch = await Batch.get_or_none(key=key)
    if batch is None:
        return None
    if (batch.project_id, batch.vintage, batch.amount_kg) != (project.id, vintage, amount_kg):
        raise KeyConflict(key=key)
    return batch_view(batch, project.code)


async def issue_batch(
    project_id: int | str,
    vintage: int,
    amount_kg: int,
    *,
    key: str,
    now: datetime | None = None,
) -> BatchView:
    """Issue `amount_kg` credits of `vintage` into the project's producer wallet (and buffer)."""
    now = now or utcnow()
    check_key(key)
    check_amount_kg(amount_kg)
    project = await project_row(project_id)
    if (done := await _replayed(key, project, vintage, amount_kg)) is not None:
        return done
    if project.status != ProjectStatus.APPROVED:
        raise ProjectNotApproved(project=project.code, status=str(project.status))
    if vintage > now.year:
        raise VintageInFuture(vintage=vintage, year=now.year)
    if vintage < OLDEST_VINTAGE:
        raise VintageTooOld(vintage=vintage, oldest=OLDEST_VINTAGE)
    buffer_kg = amount_kg * project.buffer_percent // 100
    # Opened outside the transaction: a racing opener's IntegrityError would abort it.
    issuance = await ledger.system_account(Role.ISSUANCE, CARBON)
    wallet = await ledger.user_account(project.producer_id, CARBON)
    buffer = await ledger.open_account(ledger.project_owner(project.id), Role.BUFFER, CARBON)
    posting_key = f"issue:{key}"
    try:
        async with in_transaction():
            first = await _reserve_serials(amount_kg)
            batch = await Batch.create(
                project_id=project.id,
                vintage=vintage,
                serial_first=first,
                serial_last=first + amount_kg - 1,
                amount_kg=amount_kg,
                buffer_kg=buffer_kg,
                key=key,  # UNIQUE: a racing twin fails here and returns ours
                posting_key=posting_key,
                issued_at=now,
            )
            legs = [Leg(issuance.id, wallet.id, amount_kg - buffer_kg, batch_id=batch.id)]
            if buffer_kg:
                legs.append(Leg(issuance.id, buffer.id, buffer_kg, batch_id=batch.id))
            await ledger.post(
                posting_key,
                "issuance",
                legs,
                memo=f"{project.code} vintage {vintage}",
                metadata={"project_id": project.id, "batch_id": batch.id, "vintage": vintage},
                now=now,
            )
    except IntegrityError:
        if (done := await _replayed(key, project, vintage, amount_kg)) is not None:
            return done
        raise
    return batch_view(batch, project.code)


def _reported_gas(gas: Gas | str | None, methodology_gas: Gas) -> Gas:
    """The gas as given; plain "CH4" (or none) means the methodology's own gas."""
    if gas is None:
        return methodology_gas
    if isinstance(gas, Gas):
        return gas
    try:
        return parse_gas(gas)
    except AmbiguousGas:
        if methodology_gas in (Gas.CH4_FOSSIL, Gas.CH4_NON_FOSSIL):
            return methodology_gas
        raise


async def issue_reduction(
    project_id: int | str,
    vintage: int,
    gas: Gas | str | None,
    quantity: int | Decimal | str,
    unit: str = "t",
    *,
    key: str,
    now: datetime | None = None,
) -> BatchView:
    """Issue the kg CO2e of `quantity` `unit` of `gas` a project avoided (rounded down).

    A landfill methane project reports tonnes of CH4; "CH4" alone takes the
    methodology's kind (non-fossil for landfill gas, fossil for pipelines).
    """
    project = await project_row(project_id)
    method = get_methodology(project.methodology)
    amount_kg = to_co2e_kg(_reported_gas(gas, method.gas), quantity, unit)
    if amount_kg <= 0:
        raise AmountNotPositive(amount_kg=amount_kg, quantity=str(quantity), unit=unit)
    return await issue_batch(project.id, vintage, amount_kg, key=key, now=now)


async def list_batches(project_id: int | str | None = None) -> list[BatchView]:
    query = Batch.all().select_related("project")
    if project_id is not None:
        query = query.filter(project_id=(await project_row(project_id)).id)
    return [batch_view(b, b.project.code) for b in await query.order_by("serial_first")]
