"""A reforestation project with one Eucalyptus grandis plot (1 ha, 1111 trees, planted 2001)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest_asyncio

from core import reforestation, registry
from tests.helpers import sign_up_producer

PRODUCER = 950
T0 = datetime(2001, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Forest:
    project: registry.ProjectView
    plot: reforestation.PlotView


async def make_forest(*, species: str = "eucalyptus_grandis", area_m2: int = 10_000, trees: int = 1111,
                      code: str = "FOR", planted_at: datetime = T0) -> Forest:
    await sign_up_producer(PRODUCER)
    project = await registry.create_project(
        name="Mata Atlântica regrowth", methodology="CCCP-ARR", country="BR",
        producer_id=PRODUCER, code=code, approve=True, now=planted_at,
    )
    plot = await reforestation.register_plot(
        project_id=project.id, name="Talhão 1", location="Espírito Santo, BR", area_m2=area_m2,
        species=species, trees_planted=trees, planted_at=planted_at, producer_id=PRODUCER, now=planted_at,
    )
    return Forest(project, plot)


async def run_years(start: datetime, years: float, *, step_days: int = 30, act: bool = True):
    """Tick on simulated time from `start` for `years`; returns the last moment."""
    now = start
    end = start + timedelta(days=round(years * 365.25))
    while now < end:
        now = min(now + timedelta(days=step_days), end)
        await reforestation.tick(now, act_for_producers=act)
    return now


@pytest_asyncio.fixture
async def forest(db) -> Forest:
    return await make_forest()
