"""Product codes: claims per second, one batch against separate batches, and label sheets.

Claims race in `concurrency` at a time, each by its own shopper, retired at once
(the bot's default path: code row, the code's hold, the shard account, the
retirement account, the registry's blocks). Two runs on fresh databases:

- one batch of n codes, all claimed at once (what a popular product's shoppers do);
- the baseline: n batches of one code each, claimed at once — no two claims share
  a batch, so nothing of the batch design can contend.

ratio = one-batch claims/s ÷ separate-batches claims/s: near 1 means claims of one
batch do not queue on a row of their batch. `label_s_per_1000` times
render_labels for 1,000 codes on A4 sheets. Both databases must verify clean.
`make bench` runs the full size, `make test` a tiny one.

    python -m benchmarks.codes --n 400 --engine both
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.ledger import DEFAULT_POSTGRES, _verify, opened
from benchmarks.scratch import migrated_postgres, migrated_sqlite
from core import codes, registry, users
from core.codes.labels import Label, label_url, render_labels

SECRET = b"b" * 32
MERCHANT = 1
KG = 5


async def _setup_merchant(kg_needed: int) -> int:
    now = datetime.now(UTC)
    await users.sign_up(MERCHANT, "Bench merchant", "en", ["merchant", "producer"], now=now)
    project = await registry.create_project(name="Bench landfill gas", methodology="ACM0001", country="DE",
                                            producer_id=MERCHANT, code="BENCH", approve=True, now=now)
    await registry.issue_batch(project.id, now.year - 1, kg_needed, key="bench", now=now)
    await codes.register_merchant(MERCHANT, "Bench merchant", now=now)
    await codes.approve_merchant(MERCHANT, now=now)
    product = await codes.add_product(MERCHANT, "Bench coffee", kg_per_unit=KG, now=now)
    return product.id


async def _claims(url: str, n: int, concurrency: int, *, one_batch: bool) -> float:
    """Seconds for n concurrent claims (one batch of n codes, or n batches of one)."""
    async with opened(url):
        product_id = await _setup_merchant(n * KG)
        if one_batch:
            batch = await codes.fund_batch(product_id, n, secret=SECRET, key="one")
            all_codes = await codes.batch_codes(batch.id, secret=SECRET)
        else:
            all_codes = []
            for i in range(n):
                batch = await codes.fund_batch(product_id, 1, secret=SECRET, key=f"sep:{i}")
                all_codes += await codes.batch_codes(batch.id, secret=SECRET)
        now = datetime.now(UTC)
        for i in range(n):
            await users.sign_up(1000 + i, f"Shopper {i}", "en", ["consumer"], now=now)
        gate = asyncio.Semaphore(concurrency)

        async def claim(i: int) -> None:
            async with gate:
                await codes.claim(all_codes[i], 1000 + i, secret=SECRET)

        started = time.perf_counter()
        await asyncio.gather(*(claim(i) for i in range(n)))
        return time.perf_counter() - started


def label_seconds(count: int = 1000) -> float:
    labels = [Label(c, label_url("https://cccp.example", c), "Fair-trade coffee 500 g", KG)
              for c in (codes.derive(SECRET, "B1", i) for i in range(count))]
    started = time.perf_counter()
    render_labels(labels, "a4-3x8")
    return (time.perf_counter() - started) * 1000 / count  # seconds per 1,000 labels


async def run_async(n: int, engine: str, *, concurrency: int = 20, labels: int = 1000) -> dict:
    results = {}
    with tempfile.TemporaryDirectory(prefix="cccp-bench-") as tmp:
        template = Path(tmp) / "t.sqlite3"
        if engine == "sqlite":  # migrated once, copied for each run
            await migrated_sqlite(template)
        for one_batch in (True, False):
            await _run_one(engine, template, n, concurrency, one_batch, results)
    return _result(engine, n, concurrency, labels, results)


async def _run_one(engine: str, template: Path, n: int, concurrency: int, one_batch: bool, results: dict) -> None:
    if engine == "sqlite":
        path = template.with_name(f"codes-{one_batch}.sqlite3")
        shutil.copy(template, path)
        url = f"sqlite://{path}"
        results[one_batch] = await _claims(url, n, concurrency, one_batch=one_batch)
        verified = await _verify(url)
    else:
        async with migrated_postgres(os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES) as url:
            results[one_batch] = await _claims(url, n, concurrency, one_batch=one_batch)
            verified = await _verify(url)
    if not verified:
        raise AssertionError("verify drifted")


def _result(engine: str, n: int, concurrency: int, labels: int, results: dict) -> dict:
    one, separate = n / results[True], n / results[False]
    return {
        "engine": engine, "n": n, "concurrency": concurrency,
        "one_batch_per_s": one, "separate_per_s": separate, "ratio": one / separate,
        "label_s_per_1000": label_seconds(labels) if labels else None, "labels": labels, "verified": True,
    }


def run(n: int, engine: str, **options) -> dict:
    return asyncio.run(run_async(n, engine, **options))


def report(r: dict) -> str:
    labels = f"; labels {r['label_s_per_1000']:.2f} s per 1,000 ({r['labels']} drawn)" if r["labels"] else ""
    return (f"{r['engine']:8} n={r['n']} x{r['concurrency']}: one batch {r['one_batch_per_s']:.1f} claims/s, "
            f"separate batches {r['separate_per_s']:.1f} claims/s, ratio {r['ratio']:.2f}{labels}; verify clean")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    for engine in ["sqlite", "postgres"] if args.engine == "both" else [args.engine]:
        print(report(run(args.n, engine, concurrency=args.concurrency)), flush=True)


if __name__ == "__main__":
    main()
