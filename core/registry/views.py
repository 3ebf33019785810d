"""What the registry hands out: frozen views, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pycountry

from core.registry.methodologies import METHODOLOGIES
from core.registry.models import Batch, Project, Retirement
from core.registry.reductions import ReductionView
from core.registry.serials import format_serial


@dataclass(frozen=True)
class ProjectView:
    id: int
    code: str
    name: str
    methodology: str
    methodology_name: str
    standard: str
    project_type: str
    country: str  # ISO 3166-1 alpha-2
    country_name: str
    location: str
    description: str
    producer_id: int
    status: str
    buffer_percent: int
    created_at: datetime


@dataclass(frozen=True)
class BatchView:
    id: int
    project_id: int
    project_code: str
    vintage: int
    serial_first: int
    serial_last: int
    amount_kg: int
    buffer_kg: int  # of amount_kg, sent to the project's buffer pool
    issued_at: datetime
    posting_key: str

    @property
    def serial(self) -> str:
        return format_serial(self.project_code, self.vintage, self.serial_first, self.serial_last)


@dataclass(frozen=True)
class SerialRangeView:
    """Part of a batch in one place and state."""

    serial: str
    project_code: str
    project_name: str
    batch_id: int
    vintage: int
    first: int
    last: int
    status: str  # active, held or retired
    retirement_id: str | None = None
    beneficiary: str | None = None
    reason: str | None = None
    retired_at: datetime | None = None

    @property
    def amount_kg(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class RetirementView:
    id: str  # public id, e.g. R7K3M9Q2XA
    account_id: int
    amount_kg: int
    beneficiary: str
    reason: str
    created_at: datetime
    ranges: tuple[SerialRangeView, ...]

    @property
    def serials(self) -> list[str]:
        return [r.serial for r in self.ranges]


@dataclass(frozen=True)
class LookupView:
    """What a public look-up of a serial (range) or a retirement id finds."""

    query: str
    project: ProjectView
    batch: BatchView | None  # the batch of a serial look-up
    pieces: tuple[SerialRangeView, ...]  # the looked-up serials by state, lowest first
    retirement: RetirementView | None  # a retirement look-up
    is_truncated: bool = False  # more pieces than shown
    reductions: tuple[ReductionView, ...] = ()  # a retirement look-up: what its purchase started


@dataclass(frozen=True)
class InventoryLine:
    """Unretired kg of one batch in one account."""

    project_id: int
    project_code: str
    batch_id: int
    vintage: int
    account_id: int
    active_kg: int
    held_kg: int


def country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2)
    return country.name if country else alpha_2


def project_view(p: Project) -> ProjectView:
    methodology = METHODOLOGIES.get(p.methodology)
    return ProjectView(
        id=p.id,
        code=p.code,
        name=p.name,
        methodology=p.methodology,
        methodology_name=methodology.name if methodology else p.methodology,
        standard=p.standard,
        project_type=p.project_type,
        country=p.country,
        country_name=country_name(p.country),
        location=p.location,
        description=p.description,
        producer_id=p.producer_id,
        status=str(p.status.value if hasattr(p.status, "value") else p.status),
        buffer_percent=p.buffer_percent,
        created_at=p.created_at,
    )


def batch_view(b: Batch, project_code: str) -> BatchView:
    return BatchView(
        id=b.id,
        project_id=b.project_id,
        project_code=project_code,
        vintage=b.vintage,
        serial_first=b.serial_first,
        serial_last=b.serial_last,
        amount_kg=b.amount_kg,
        buffer_kg=b.buffer_kg,
        issued_at=b.issued_at,
        posting_key=b.posting_key,
    )


def retirement_view(r: Retirement, ranges: list[SerialRangeView]) -> RetirementView:
    return RetirementView(
        id=r.public_id,
        account_id=r.account_id,
        amount_kg=r.amount_kg,
        beneficiary=r.beneficiary,
        reason=r.reason,
        created_at=r.created_at,
        ranges=tuple(ranges),
    )
