"""Registry: a movement costs the same whatever the size of the batch.

For each batch size (serials = kg), time one 1 t transfer between two wallets
plus one 1 t retirement, out of a wallet that holds a single block of that
size (the 1 k batch moves whole, the others split one block). Each repeat issues a fresh batch to a fresh producer (not timed), so
every timed movement splits exactly one block. Blocks are ranges, so the
figure should stay flat from 1 k to 1 G serials; the ratio to the 1 k case
shows it.

Run on an open, migrated database (the tests' `db` fixture does that).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from core import ledger, registry, users
from core.clock import utcnow
from core.ledger import CARBON, Leg

SIZES_KG = (1_000, 1_000_000, 1_000_000_000)
MOVE_KG = 1000  # 1 t


@dataclass(frozen=True)
class Figure:
    size_kg: int
    median_s: float  # one transfer + one retirement
    ratio_to_first: float


async def run_registry_bench(sizes_kg=SIZES_KG, repeats: int = 20, vintage: int = 2024) -> list[Figure]:
    if await users.get_user(1) is None:  # a project's producer is a signed-up user
        await users.sign_up(1, "Bench producer", "en", ["producer"], now=utcnow())
    project = await registry.create_project(
        name="Benchmark landfill", methodology="ACM0001", country="DE", producer_id=1, approve=True
    )
    times: dict[int, list[float]] = {size: [] for size in sizes_kg}
    user = 10_000
    # Sizes take turns, so the database grows alike under every size.
    for i in range(repeats):
        for size in sizes_kg:
            user += 2
            producer, buyer = user, user + 1
            batch = await registry.issue_batch(project.id, vintage, size, key=f"bench:{size}:{i}")
            # Hand the batch to a fresh producer wallet: issuance went to user 1.
            source = await ledger.user_account(1, CARBON)
            mine = await ledger.user_account(producer, CARBON)
            await ledger.post(
                f"bench:give:{size}:{i}", "transfer", [Leg(source.id, mine.id, size, batch_id=batch.id)]
            )
            theirs = await ledger.user_account(buyer, CARBON)
            started = time.perf_counter()
            await ledger.post(f"bench:move:{size}:{i}", "transfer", [Leg(mine.id, theirs.id, MOVE_KG)])
            await registry.retire(theirs.id, MOVE_KG, "Benchmark", "", key=f"bench:retire:{size}:{i}")
            times[size].append(time.perf_counter() - started)
    medians = [(size, statistics.median(times[size])) for size in sizes_kg]
    first = medians[0][1]
    return [Figure(size, median, median / first) for size, median in medians]


def format_figures(figures: list[Figure], engine: str) -> str:
    lines = [f"{engine}: 1 t transfer + 1 t retirement, median of repeats"]
    for f in figures:
        lines.append(f"  batch {f.size_kg:>13,} serials: {f.median_s * 1000:7.2f} ms  (x{f.ratio_to_first:.2f})")
    return "\n".join(lines)
