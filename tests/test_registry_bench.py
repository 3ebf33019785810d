"""The registry benchmark at a tiny size (cannot rot) and at full size (`make bench`)."""

import pytest

from benchmarks.registry import SIZES_KG, format_figures, run_registry_bench
from core.registry.models import SerialBlock


async def test_the_registry_benchmark_runs_and_splits_one_block_per_movement(db):
    figures = await run_registry_bench(sizes_kg=(1_000, 1_000_000), repeats=2)
    assert [f.size_kg for f in figures] == [1_000, 1_000_000]
    # Per repeat: the 1 k batch moves whole (1 block), the 1 M batch splits once (2 blocks).
    assert await SerialBlock.all().count() == 2 * 1 + 2 * 2


@pytest.mark.slow
async def test_registry_movement_cost_is_flat_from_1k_to_1g_serials(db):
    figures = await run_registry_bench(sizes_kg=SIZES_KG, repeats=30)
    engine = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    print("\n" + format_figures(figures, engine))
