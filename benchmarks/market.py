"""The market: place+match against deep books, and takes per second.

For each book depth (default 1 k, 10 k and 100 k open offers) a fresh migrated
database gets that many resting offers that never cross (bids below the
trading price, asks above it: bulk-inserted rows of one other trader, as deep
books look to the index), then `m` rounds of place+match run one after another:
a buy offer at the trading price rests (holding its Stars) and a sell offer at
that price fills it at once (a trade: carbon, Stars, fee, holds, outbox rows).
The figure is rounds per second and its ratio to the smallest depth's, which
the index on (book, side, status, price, time) should keep near 1 (matching
touches only the crossing end of the book). Then `m` takes of 1 kg each from one
resting 1 t+ offer measure takes per second. `verify` must be clean afterwards.

    python -m benchmarks.market [--depths 1000,10000,100000] [--m 200] [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tortoise import Tortoise

from benchmarks.ledger import opened
from benchmarks.scratch import migrated_postgres, migrated_sqlite
from core.ledger import STARS, Leg, Role, post, system_account, user_account, verify
from core.market import book
from core.market.rules import Rules
from core.registry import get_project, list_batches
from tests.helpers import issue_to

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
PRICE = 1_000
SELLER, BUYER, DEPTH_TRADER = 71, 72, 73
RULES = Rules(fee_bps=100, min_kg=1, max_open_offers=10**9, band_percent=0)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def _fill_book(project_id: int, batch_id: int, depth: int) -> None:
    """`depth` open offers that never cross PRICE, inserted in bulk."""
    conn = Tortoise.get_connection("default")
    is_pg = conn.capabilities.dialect == "postgres"
    marks = ", ".join(f"${i}" for i in range(1, 12)) if is_pg else ", ".join("?" * 11)
    sql = ("INSERT INTO market_offer (key, side, user_id, project_id, batch_id, price_per_t, amount_kg,"
           " remaining_kg, min_fill_kg, status, created_at, rest_kg, maker_filled_kg)"
           f" VALUES ({marks}, 0, 0)")
    rng = random.Random(depth)
    rows = []
    for i in range(depth):
        is_bid = i % 2 == 0
        price = rng.randint(1, PRICE - 1) if is_bid else rng.randint(PRICE + 1, 2 * PRICE)
        rows.append([f"depth:{i}", "buy" if is_bid else "sell", DEPTH_TRADER, project_id,
                     None if is_bid else batch_id, price, 1_000, 1_000, 1, "open", NOW])
    for start in range(0, depth, 5_000):
        await conn.execute_many(sql, rows[start:start + 5_000])


async def _one_depth(url: str, depth: int, m: int) -> dict:
    async with opened(url):
        await issue_to(SELLER, 10 * m + 2_000, key="bench:issue", now=NOW)
        project = await get_project(f"T{SELLER}")
        [batch] = await list_batches(project.id)
        clearing = await system_account(Role.CLEARING, STARS)
        wallet = await user_account(BUYER, STARS)
        await post("bench:fund", "payment", [Leg(clearing.id, wallet.id, 100 * m + 10_000)], now=NOW)
        await _fill_book(project.id, batch.id, depth)
        started = time.perf_counter()
        for i in range(m):
            await book.place_bid(BUYER, 10, PRICE, key=f"bench:bid:{i}", project_id=project.id, rules=RULES, now=NOW)
            result = await book.place_sell(SELLER, project.id, 10, PRICE, key=f"bench:sell:{i}", rules=RULES, now=NOW)
            assert len(result.trades) == 1
        rounds_s = time.perf_counter() - started
        offer = (await book.place_sell(SELLER, project.id, 1_000, PRICE + 1, key="bench:resting", rules=RULES,
                                       now=NOW)).offer
        started = time.perf_counter()
        for i in range(min(m, 1_000)):
            await book.take_offer(BUYER, offer.id, 1, price_per_t=PRICE + 1, key=f"bench:take:{i}", rules=RULES,
                                  now=NOW)
        takes_s = time.perf_counter() - started
        report = await verify()
        assert report.is_clean, report.text()
    return {"depth": depth, "rounds_per_s": m / rounds_s, "takes_per_s": min(m, 1_000) / takes_s}


async def _run(depths: list[int], m: int, engine: str, postgres_url: str) -> list[dict]:
    results = []
    for depth in depths:
        if engine == "postgres":
            async with migrated_postgres(postgres_url) as url:
                results.append(await _one_depth(url, depth, m))
        else:
            folder = Path(tempfile.mkdtemp(prefix="cccp-market-bench-"))
            try:
                url = await migrated_sqlite(folder / "bench.sqlite3")
                results.append(await _one_depth(url, depth, m))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    base = results[0]["rounds_per_s"]
    for r in results:
        r["ratio"] = r["rounds_per_s"] / base
        r["engine"] = engine
    return results


def run(depths: list[int], m: int, engine: str = "sqlite", postgres_url: str = DEFAULT_POSTGRES) -> list[dict]:
    return asyncio.run(_run(depths, m, engine, postgres_url))


def report(results: list[dict]) -> str:
    lines = [f"{'engine':8} {'open offers':>11} {'place+match/s':>14} {'vs smallest':>11} {'takes/s':>8}"]
    for r in results:
        lines.append(f"{r['engine']:8} {r['depth']:>11,} {r['rounds_per_s']:>14.1f} {r['ratio']:>11.2f} "
                     f"{r['takes_per_s']:>8.1f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="1000,10000,100000")
    parser.add_argument("--m", type=int, default=200)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    depths = [int(d) for d in args.depths.split(",")]
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        print(report(run(depths, args.m, engine, args.postgres_url)))


if __name__ == "__main__":
    main()
