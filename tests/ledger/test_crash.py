"""A process killed with SIGKILL mid-posting leaves no half posting behind.

The worker (tests/ledger/crash_worker.py) posts in a loop and prints each
committed posting; the test kills it at a random point once it is under way,
then checks the database: `cccp verify` is clean, every posting has all its
transfers, nothing it reported is lost, and running it again finishes the job
without posting anything twice.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

from core import db as database
from core import ledger
from core.ledger.models import Hold, Posting, Transfer

from .conftest import raw_sql
from .crash_worker import LEGS_PER_POSTING

ROOT = Path(__file__).resolve().parents[2]
POSTINGS = 1000


@pytest.fixture(params=["sqlite", "postgres"])
def crash_url(request, tmp_path) -> str:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")

        async def wipe() -> None:
            executor.EXECUTOR_CACHE.clear()
            async with TortoiseContext() as ctx:
                await ctx.init(config=database.tortoise_config(url))
                await raw_sql("TRUNCATE ledger_transfer, ledger_hold, ledger_posting, ledger_account"
                              " RESTART IDENTITY CASCADE")

        asyncio.run(wipe())
        return url
    path = tmp_path / "crash.sqlite3"  # a file in WAL mode, as in production
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


def start_worker(url: str, n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.crash_worker", url, str(n)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def cccp_verify(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "cccp", "verify"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )


async def census(url: str) -> dict:
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(url))
        report = await ledger.verify()
        per_posting = await raw_sql(
            "SELECT p.kind AS kind, COUNT(t.id) AS legs FROM ledger_posting p"
            " LEFT JOIN ledger_transfer t ON t.posting_id = p.id GROUP BY p.id, p.kind"
        )
        return {
            "report": report,
            "legs": {(r["kind"], r["legs"]) for r in per_posting},
            "postings": await Posting.filter(kind="transfer").count(),
            "fills": await Posting.filter(kind="post_hold").count(),
            "holds": await Hold.all().count(),
            "transfers": await Transfer.all().count(),
        }


def test_a_worker_killed_mid_posting_leaves_a_consistent_ledger(crash_url):
    rng = random.Random()
    kill_after = rng.randint(1, POSTINGS // 2)  # a random point once posting is under way
    worker = start_worker(crash_url, POSTINGS)
    last = -1
    try:
        for line in worker.stdout:
            last = int(line)
            if last >= kill_after:
                worker.send_signal(signal.SIGKILL)
                break
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL, f"the worker ended by itself after {last}"

    verified = cccp_verify(crash_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: no drift" in verified.stdout

    after = asyncio.run(census(crash_url))
    assert after["report"].is_clean, after["report"].text()
    assert after["legs"] <= {("transfer", LEGS_PER_POSTING), ("post_hold", 1)}, "a half posting survived"
    assert after["postings"] >= last + 1, "a posting reported as committed was lost"
    assert after["transfers"] == LEGS_PER_POSTING * after["postings"] + after["fills"]

    rerun = start_worker(crash_url, POSTINGS)
    out, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0
    assert out.split()[-1] == str(POSTINGS - 1)
    final = asyncio.run(census(crash_url))
    assert final["report"].is_clean, final["report"].text()
    assert (final["postings"], final["fills"], final["holds"]) == (POSTINGS, POSTINGS // 5, POSTINGS // 5)
    assert final["transfers"] == LEGS_PER_POSTING * POSTINGS + POSTINGS // 5
