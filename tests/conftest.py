"""Shared fixtures.

`db` gives each test a fresh database built by the real migrations (so the
CHECK and UNIQUE constraints under test are the production ones): SQLite
always, and PostgreSQL too when TEST_POSTGRES_URL is set. The session makes
its own randomly named PostgreSQL database and drops it at the end. After a
test that used `db`, the ledger must verify clean. `db` runs `core.setup()`
(the `core_setup` fixture), as every process does before anything moves.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import pytest_asyncio
from tortoise import Tortoise
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from core import db as database
from core.ledger import verify

# As the bot runs (bot/__init__.py), whichever test imports python-telegram-bot first.
os.environ.setdefault("PTB_TIMEDELTA", "true")

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
DB_KINDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    parts = urlsplit(database.normalise_url(url).replace("postgres://", "postgresql://", 1))
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    asyncio.run(database.upgrade(f"sqlite://{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """The name of a migrated, empty PostgreSQL database that nothing connects to, to clone
    (CREATE DATABASE ... TEMPLATE takes 40 ms where migrating takes 7 s)."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set")
    name = f"cccp_template_{secrets.token_hex(4)}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    asyncio.run(database.upgrade(urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))))
    yield name
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url(postgres_template):
    name = f"cccp_test_{secrets.token_hex(4)}"
    parts = urlsplit(POSTGRES_URL)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield url
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def bench_templates(monkeypatch, request, sqlite_template) -> None:
    """Benchmarks copy the suite's migrated databases instead of migrating their own (benchmarks/scratch.py)."""
    from benchmarks.scratch import POSTGRES_TEMPLATE, SQLITE_TEMPLATE

    monkeypatch.setenv(SQLITE_TEMPLATE, str(sqlite_template))
    if POSTGRES_URL:
        monkeypatch.setenv(POSTGRES_TEMPLATE, request.getfixturevalue("postgres_template"))


# Rows the migrations wrote, which a fresh database has: kept when the rest is wiped.
SEEDED_TABLES = ("tortoise_migrations", "ledger_kind")


# Empty every table but the seeded ones and restart their ids at 1, in one round trip.
# DELETE, not TRUNCATE: on tables this small it takes 30 ms where TRUNCATE's new files took
# 290 ms a test. Foreign keys are not checked while it runs (session_replication_role, for
# this transaction only), so the order of the tables does not matter.
_WIPE = """
DO $$
DECLARE r record;
BEGIN
    PERFORM set_config('session_replication_role', 'replica', true);
    FOR r IN SELECT tablename FROM pg_tables
             WHERE schemaname = 'public' AND tablename NOT IN ({kept}) LOOP
        EXECUTE format('DELETE FROM %I', r.tablename);
    END LOOP;
    FOR r IN SELECT s.oid FROM pg_class s
             JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
             JOIN pg_class t ON t.oid = d.refobjid
             WHERE s.relkind = 'S' AND t.relname NOT IN ({kept}) LOOP
        PERFORM setval(r.oid, 1, false);
    END LOOP;
END $$;
""".format(kept=", ".join(f"'{t}'" for t in SEEDED_TABLES))


async def _truncate_postgres() -> None:
    """Empty every table but the seeded ones, on the open Tortoise connection."""
    await Tortoise.get_connection("default").execute_script(_WIPE)


async def _wipe_postgres(url: str) -> None:
    """_truncate_postgres on its own connection, without starting Tortoise."""
    import asyncpg

    conn = await asyncpg.connect(database.normalise_url(url).replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(_WIPE)
    finally:
        await conn.close()


def fresh_db_url(kind: str, request, tmp_path: Path) -> str:
    """A database with the migrated schema and no rows, for one test."""
    if kind == "postgres":
        return request.getfixturevalue("postgres_url")
    path = tmp_path / "cccp.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite://{path}"


@pytest.fixture(params=DB_KINDS)
def db_url(request, tmp_path) -> str:
    """The URL of a fresh, migrated, empty database (not opened)."""
    url = fresh_db_url(request.param, request, tmp_path)
    if request.param == "postgres":
        asyncio.run(_wipe_postgres(url))
    return url


@pytest.fixture
def core_setup() -> None:
    """What every process does before anything moves (tests/ledger swaps in the ledger alone)."""
    core.setup()


@pytest_asyncio.fixture
async def db(db_url, core_setup):
    """An open, empty database; after the test the ledger must verify clean."""
    # Tortoise caches INSERT statements per connection name, not per engine:
    # clear it so a PostgreSQL test never reuses SQLite's placeholders.
    executor.EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(db_url))
        yield db_url
        report = await verify()
        assert report.is_clean, report.text()
