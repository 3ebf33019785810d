"""`cccp verify` and `cccp run` on a database the migrations have not reached.

A missing schema is not drift: both exit 2 and say to run `cccp db upgrade`,
with no traceback, and neither creates an empty SQLite file on the way.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def cccp(*args: str, cwd, database_url: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BOT_TOKEN"}}
    environment.update(env)
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "cccp", *args], cwd=cwd, env=environment, capture_output=True,
        text=True, timeout=120,
    )


def assert_says_upgrade(result: subprocess.CompletedProcess, state: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert state in result.stderr
    assert "run `cccp db upgrade`" in result.stderr


def test_verify_without_a_database_file_says_to_upgrade_and_creates_no_file(tmp_path):
    result = cccp("verify", cwd=tmp_path)  # the default: data/cccp.sqlite3 under the working dir

    assert_says_upgrade(result, "does not exist")
    assert not (tmp_path / "data" / "cccp.sqlite3").exists()


def test_verify_on_an_empty_sqlite_file_says_it_has_no_schema(tmp_path):
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()

    assert_says_upgrade(cccp("verify", cwd=tmp_path, database_url=f"sqlite://{path}"), "has no schema")


@pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL is not set")
def test_verify_on_an_empty_postgres_database_says_it_has_no_schema(tmp_path):
    name = f"cccp_test_empty_{secrets.token_hex(4)}"
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        assert_says_upgrade(cccp("verify", cwd=tmp_path, database_url=url), "has no schema")
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_verify_names_a_migration_the_database_has_not_recorded(sqlite_template, tmp_path):
    path = tmp_path / "behind.sqlite3"
    shutil.copy(sqlite_template, path)
    with sqlite3.connect(path) as conn:
        (latest,) = conn.execute("SELECT max(name) FROM tortoise_migrations").fetchone()
        conn.execute("DELETE FROM tortoise_migrations WHERE name = ?", (latest,))

    result = cccp("verify", cwd=tmp_path, database_url=f"sqlite://{path}")

    assert_says_upgrade(result, f"not applied: models.{latest}")


def test_verify_on_a_migrated_database_still_reports_a_clean_ledger(sqlite_template, tmp_path):
    path = tmp_path / "cccp.sqlite3"
    shutil.copy(sqlite_template, path)

    result = cccp("verify", cwd=tmp_path, database_url=f"sqlite://{path}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: no drift" in result.stdout


def test_run_without_a_database_file_says_to_upgrade_first_and_creates_no_file(tmp_path):
    result = cccp("run", cwd=tmp_path, BOT_TOKEN="123456:NO-SCHEMA")

    assert_says_upgrade(result, "does not exist")
    assert "make run" in result.stderr
    assert not (tmp_path / "data" / "cccp.sqlite3").exists()
