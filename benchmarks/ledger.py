"""Ledger throughput against a hand-written baseline doing the same work.

Both sides make `n` single-transfer postings one after another, each in its
own database transaction, on a fresh migrated database with the same pragmas
(SQLite: a WAL file, foreign keys on, default synchronous) or the same
PostgreSQL server:

- ledger: `core.ledger.post(key, "transfer", [Leg(alice, bob, 1)])`: replay
  check, account checks, posting row, conditional debit, credit, transfer row.
- baseline (aiosqlite / asyncpg by hand): BEGIN; INSERT the posting row;
  conditional UPDATE of the debit balance (row count checked); UPDATE of the
  credit balance; INSERT the transfer row; COMMIT.

The two sides alternate in rounds (n/5 postings each), so background load on a
shared machine falls on both. Afterwards both databases must pass `verify()`, so the baseline did real
double-entry work. The target is a ratio (ledger / baseline throughput) of at
least 0.5; figures go to docs/PERFORMANCE.md.

    python -m benchmarks.ledger [--n 10000] [--engine sqlite|postgres|both]
                                [--postgres-url URL] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from benchmarks.scratch import migrated_postgres, migrated_sqlite
from core import db as database
from core import ledger
from core.ledger import Leg

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# Money moves through the ledger alone; carbon would also move the registry's
# serial blocks (benchmarks/registry.py measures that).
ASSET = "EUR"
FUNDING_KEY = "bench:fund"


@asynccontextmanager
async def opened(url: str):
    # Tortoise caches INSERT statements per connection name, not per engine.
    executor.EXECUTOR_CACHE.clear()
    core.setup()  # as core.db's open functions do
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(url))
        yield ctx


async def _open_accounts(n: int) -> tuple[int, int]:
    clearing = await ledger.system_account(ledger.Role.CLEARING, ASSET)
    alice = await ledger.user_account(1, ASSET)
    bob = await ledger.user_account(2, ASSET)
    await ledger.post(FUNDING_KEY, "payment", [Leg(clearing.id, alice.id, n)])
    return alice.id, bob.id


async def _verify(url: str) -> bool:
    async with opened(url):
        report = await ledger.verify()
        if not report.is_clean:
            raise AssertionError(report.text())
        return True


class LedgerSide:
    """n postings through core.ledger."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def open(self, n: int) -> None:
        self._ctx = opened(self.url)
        await self._ctx.__aenter__()
        self.alice, self.bob = await _open_accounts(n)

    async def post(self, i: int) -> None:
        await ledger.post(f"bench:{i}", "transfer", [Leg(self.alice, self.bob, 1)])

    async def close(self) -> None:
        await self._ctx.__aexit__(None, None, None)


class SqliteBaseline:
    """The same work by hand with aiosqlite, same pragmas as Tortoise's client."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def open(self, n: int) -> None:
        import aiosqlite

        async with opened(f"sqlite://{self.path}"):  # accounts and funding, not timed
            self.alice, self.bob = await _open_accounts(n)
        self.conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "journal_size_limit=16384", "foreign_keys=ON",
                       f"busy_timeout={database.SQLITE_BUSY_TIMEOUT_MS}"):
            await (await self.conn.execute(f"PRAGMA {pragma}")).close()
        self.now = datetime.now(UTC).isoformat()

    async def post(self, i: int) -> None:
        conn = self.conn
        await conn.execute("BEGIN")
        cursor = await conn.execute(
            'INSERT INTO ledger_posting ("key", kind, memo, metadata, fingerprint, created_at)'
            " VALUES (?, 'transfer', '', '{}', '', ?)",
            (f"bench:{i}", self.now),
        )
        posting_id = cursor.lastrowid
        cursor = await conn.execute(
            "UPDATE ledger_account SET balance = balance - 1"
            " WHERE id = ? AND NOT is_frozen AND balance >= held + 1",
            (self.alice,),
        )
        if cursor.rowcount != 1:
            raise RuntimeError("baseline overdrew")
        await conn.execute(
            "UPDATE ledger_account SET balance = balance + 1 WHERE id = ? AND NOT is_frozen",
            (self.bob,),
        )
        await conn.execute(
            "INSERT INTO ledger_transfer (posting_id, debit_account_id, credit_account_id, asset,"
            " amount, created_at) VALUES (?, ?, ?, 'EUR', 1, ?)",
            (posting_id, self.alice, self.bob, self.now),
        )
        await conn.execute("COMMIT")

    async def close(self) -> None:
        await self.conn.close()


class PostgresBaseline:
    """The same work by hand with one asyncpg connection."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def open(self, n: int) -> None:
        import asyncpg

        async with opened(self.url):  # accounts and funding, not timed
            self.alice, self.bob = await _open_accounts(n)
        self.conn = await asyncpg.connect(self.url.replace("postgres://", "postgresql://", 1))
        self.now = datetime.now(UTC)

    async def post(self, i: int) -> None:
        conn = self.conn
        async with conn.transaction():
            posting_id = await conn.fetchval(
                'INSERT INTO ledger_posting ("key", kind, memo, metadata, fingerprint, created_at)'
                " VALUES ($1, 'transfer', '', '{}'::jsonb, '', $2) RETURNING id",
                f"bench:{i}",
                self.now,
            )
            status = await conn.execute(
                "UPDATE ledger_account SET balance = balance - 1"
                " WHERE id = $1 AND NOT is_frozen AND balance >= held + 1",
                self.alice,
            )
            if status != "UPDATE 1":
                raise RuntimeError("baseline overdrew")
            await conn.execute(
                "UPDATE ledger_account SET balance = balance + 1 WHERE id = $1 AND NOT is_frozen",
                self.bob,
            )
            await conn.execute(
                "INSERT INTO ledger_transfer (posting_id, debit_account_id, credit_account_id,"
                " asset, amount, created_at) VALUES ($1, $2, $3, 'EUR', 1, $4)",
                posting_id,
                self.alice,
                self.bob,
                self.now,
            )

    async def close(self) -> None:
        await self.conn.close()


async def race(ledger_side, baseline_side, n: int, rounds: int, profile: bool) -> tuple[float, float]:
    """Seconds each side took for n postings, run in alternating rounds.

    Alternating spreads any background load on a shared machine over both sides.
    """
    await baseline_side.open(n)
    await ledger_side.open(n)
    profiler = _start_profiler() if profile else None
    times = {"ledger": 0.0, "baseline": 0.0}
    try:
        bounds = [n * r // rounds for r in range(rounds + 1)]
        for first, last in zip(bounds, bounds[1:], strict=False):
            for name, side in (("baseline", baseline_side), ("ledger", ledger_side)):
                started = time.perf_counter()
                for i in range(first, last):
                    await side.post(i)
                times[name] += time.perf_counter() - started
    finally:
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        await ledger_side.close()
        await baseline_side.close()
    return times["ledger"], times["baseline"]


def _start_profiler():
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler


async def run_async(n: int, url_kind: str, *, postgres_url: str | None = None,
                    rounds: int = 5, profile: bool = False) -> dict:
    """Time n postings through the ledger and by hand on one engine; both must verify."""
    if url_kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="cccp-bench-") as tmp:
            ledger_db, baseline_db = Path(tmp) / "ledger.sqlite3", Path(tmp) / "baseline.sqlite3"
            await migrated_sqlite(ledger_db)
            await migrated_sqlite(baseline_db)
            ledger_s, baseline_s = await race(
                LedgerSide(f"sqlite://{ledger_db}"), SqliteBaseline(baseline_db), n, rounds, profile
            )
            verified = await _verify(f"sqlite://{ledger_db}") and await _verify(
                f"sqlite://{baseline_db}"
            )
    elif url_kind == "postgres":
        server = postgres_url or os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES
        async with migrated_postgres(server) as baseline_url, migrated_postgres(server) as ledger_url:
            ledger_s, baseline_s = await race(
                LedgerSide(ledger_url), PostgresBaseline(baseline_url), n, rounds, profile
            )
            verified = await _verify(ledger_url) and await _verify(baseline_url)
    else:
        raise ValueError(f"url_kind must be sqlite or postgres, not {url_kind!r}")
    return {
        "engine": url_kind,
        "n": n,
        "ledger_s": ledger_s,
        "baseline_s": baseline_s,
        "ledger_per_s": n / ledger_s,
        "baseline_per_s": n / baseline_s,
        "ratio": baseline_s / ledger_s,
        "verified": verified,
    }


def run(n: int, url_kind: str, **options) -> dict:
    """`run_async` from synchronous code (tests, the command line)."""
    return asyncio.run(run_async(n, url_kind, **options))


def report(result: dict) -> str:
    return (
        f"{result['engine']:8} n={result['n']}: ledger {result['ledger_per_s']:,.0f} postings/s,"
        f" baseline {result['baseline_per_s']:,.0f}/s, ratio {result['ratio']:.2f}"
        f" (target >= 0.5); verify {'clean' if result['verified'] else 'DRIFT'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the ledger side")
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        result = run(args.n, engine, postgres_url=args.postgres_url, profile=args.profile)
        print(report(result), flush=True)


if __name__ == "__main__":
    main()
