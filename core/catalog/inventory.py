"""What the catalogue asks the registry: batches, producers, available serials.

Available = the seller account's ACTIVE serial blocks in one batch. Held
blocks (credits promised to a pending payment) and retired ones are not
available; the registry keeps the blocks in step with every ledger movement.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import sql
from core.catalog.errors import InvalidListing
from core.ledger import CARBON, user_account
from core.registry.models import Batch, Project


@dataclass(frozen=True)
class BatchRef:
    id: int
    project_id: int
    vintage: int


_AVAILABLE = (
    "SELECT COUNT(*) AS blocks, SUM(serial_last - serial_first + 1) AS kg FROM registry_serial_block"
    " WHERE account_id = ? AND batch_id = ? AND status = 'active'"
)


async def available_kg(account_id: int, batch_id: int) -> int:
    """kg of `batch_id` that `account_id` holds and has not promised or retired."""
    [row] = await sql.fetch(_AVAILABLE, account_id, batch_id)  # every catalogue card asks (core.sql)
    return int(row["kg"]) if row["blocks"] else 0


async def batch_of_project(project_code: str, batch_id: int) -> BatchRef:
    project = await Project.get_or_none(code=project_code)
    if project is None:
        raise InvalidListing(field="project", value=project_code)
    batch = await Batch.get_or_none(id=batch_id, project_id=project.id)
    if batch is None:
        raise InvalidListing(field="batch", value=batch_id)
    return BatchRef(id=batch.id, project_id=project.id, vintage=batch.vintage)


async def producer_account_id(project_id: int) -> int:
    """The producer's carbon wallet, where the registry issues the project's credits."""
    project = await Project.get(id=project_id)
    return (await user_account(project.producer_id, CARBON)).id
