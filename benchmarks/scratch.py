"""Scratch databases for benchmark runs, so a run never touches real data.

A new database is migrated before use, which takes about 7 s (Tortoise replays every
migration's model state). A caller that has a migrated, empty database at hand names it
instead, and it is copied: CCCP_BENCH_SQLITE_TEMPLATE (a file) and
CCCP_BENCH_POSTGRES_TEMPLATE (a database on the same server, cloned with CREATE DATABASE
... TEMPLATE). The test suite sets both, since it migrates one of each at its start.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from core import db as database

SQLITE_TEMPLATE = "CCCP_BENCH_SQLITE_TEMPLATE"
POSTGRES_TEMPLATE = "CCCP_BENCH_POSTGRES_TEMPLATE"


async def _admin(server_url: str, sql: str) -> None:
    """Run `sql` on the server's `postgres` database (CREATE/DROP DATABASE cannot run in the one they name)."""
    import asyncpg

    parts = urlsplit(server_url.replace("postgres://", "postgresql://", 1))
    connection = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres", query="")))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def scratch_database(server_url: str, *, template: str | None = None) -> AsyncIterator[str]:
    """The URL of a new database on the server (empty, or a copy of `template`); dropped afterwards."""
    name = f"cccp_bench_{secrets.token_hex(4)}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    await _admin(server_url, f'CREATE DATABASE "{name}"{copy_of}')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}", query=""))
    finally:
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def migrated_postgres(server_url: str) -> AsyncIterator[str]:
    """The URL of a new database with the schema and no rows; dropped afterwards."""
    template = os.environ.get(POSTGRES_TEMPLATE)
    async with scratch_database(server_url, template=template) as url:
        if not template:
            await database.upgrade(url)
        yield url


async def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite file at `path` with the schema and no rows."""
    template = os.environ.get(SQLITE_TEMPLATE)
    if template:
        shutil.copy(template, path)
    else:
        await database.upgrade(f"sqlite://{path}")
    return f"sqlite://{path}"
