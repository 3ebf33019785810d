"""The public registry's figures: issued, retired and available kg per project and batch.

What registries publish (Verra's project pages, Gold Standard's impact
registry): for each project its issuances with their serial ranges, and how
much of each is retired. Here "available" is issued minus retired: credits
still in circulation, whoever holds them (the buffer pool included; the
project page states the buffer share apart).

Cost: one grouped read of the retired blocks (summed in the database, never a
row per block in Python) plus one read of projects or batches, whatever the
number of serials. A project's recent retirements are one grouped read too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F
from tortoise.functions import Count, Sum

from core.registry.models import Batch, BlockStatus, Project, Retirement, SerialBlock
from core.registry.projects import project_row
from core.registry.views import BatchView, ProjectView, batch_view, project_view


@dataclass(frozen=True)
class BatchTotals:
    batch: BatchView
    retired_kg: int

    @property
    def issued_kg(self) -> int:
        return self.batch.amount_kg

    @property
    def available_kg(self) -> int:
        return self.batch.amount_kg - self.retired_kg


@dataclass(frozen=True)
class ProjectTotals:
    project: ProjectView
    issued_kg: int
    retired_kg: int
    buffer_kg: int  # of issued_kg, sent to the project's buffer pool at issuance
    batches: tuple[BatchTotals, ...] = ()  # filled by project_totals, empty in the list

    @property
    def available_kg(self) -> int:
        return self.issued_kg - self.retired_kg


async def _retired_kg_by_batch(batch_ids: list[int] | None = None) -> dict[int, int]:
    query = SerialBlock.filter(status=BlockStatus.RETIRED)
    if batch_ids is not None:  # by id, not by a join: F() names would be ambiguous
        query = query.filter(batch_id__in=batch_ids)
    # sum(last - first + 1) written as sum(last - first) + count: Tortoise's
    # expressions add fields, not constants. PostgreSQL sums bigints as numeric.
    rows = await (
        query.annotate(span=Sum(F("serial_last") - F("serial_first")), blocks=Count("id"))
        .group_by("batch_id")
        .values("batch_id", "span", "blocks")
    )
    return {r["batch_id"]: int(r["span"] or 0) + int(r["blocks"]) for r in rows}


async def list_project_totals() -> list[ProjectTotals]:
    """Every project (drafts too: a registry shows what is pending) with its totals."""
    retired = await _retired_kg_by_batch()
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for batch_id, project_id, amount_kg, buffer_kg in await Batch.all().values_list(
        "id", "project_id", "amount_kg", "buffer_kg"
    ):
        total = sums[project_id]
        total[0] += amount_kg
        total[1] += retired.get(batch_id, 0)
        total[2] += buffer_kg
    return [
        ProjectTotals(project_view(p), *sums[p.id])
        for p in await Project.all().order_by("id")
    ]


async def project_totals(code: str) -> ProjectTotals:
    """One project by code with each batch's figures (UnknownProject if there is none)."""
    project = await project_row(code)
    rows = await Batch.filter(project_id=project.id).order_by("serial_first")
    retired = await _retired_kg_by_batch([b.id for b in rows]) if rows else {}
    batches = tuple(BatchTotals(batch_view(b, project.code), retired.get(b.id, 0)) for b in rows)
    return ProjectTotals(
        project_view(project),
        issued_kg=sum(b.issued_kg for b in batches),
        retired_kg=sum(b.retired_kg for b in batches),
        buffer_kg=sum(b.batch.buffer_kg for b in batches),
        batches=batches,
    )


@dataclass(frozen=True)
class ProjectRetirement:
    """One retirement as a project's page lists it."""

    id: str  # public id, e.g. R7K3M9Q2XA
    beneficiary: str
    reason: str
    amount_kg: int  # retired from this project: a retirement may take serials of several
    retired_at: datetime


async def recent_retirements(project_code: str, limit: int = 20) -> list[ProjectRetirement]:
    """The project's latest retirements, newest first, with the kg each took from it."""
    # One grouped read: the retirement's blocks of this project's batches, their
    # kg summed as sum(last) - sum(first) + count (a block is last - first + 1 kg).
    rows = await (
        Retirement.filter(posting__retired_blocks__batch__project__code=str(project_code).strip().upper())
        .annotate(
            last_sum=Sum("posting__retired_blocks__serial_last"),
            first_sum=Sum("posting__retired_blocks__serial_first"),
            blocks=Count("posting__retired_blocks__id"),
        )
        .order_by("-created_at", "-id")
        .limit(limit)
    )
    return [
        ProjectRetirement(
            id=r.public_id,
            beneficiary=r.beneficiary,
            reason=r.reason,
            amount_kg=int(r.last_sum) - int(r.first_sum) + int(r.blocks),
            retired_at=r.created_at,
        )
        for r in rows
    ]
