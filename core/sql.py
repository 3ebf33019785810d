"""Statements written out in SQL, for the few paths where the ORM costs more than the work.

Building a query with Tortoise's query builder and a model from its row takes about
110 µs of Python per statement, more than SQLite takes to run most of them (about
90 µs a round trip here, docs/PERFORMANCE.md). The ledger's postings and the
registry's serial blocks, which every payment runs a dozen times, write theirs out
here; everything else uses the ORM. Placeholders are `?`, turned into `$n` for
PostgreSQL. Each call runs on the open transaction's connection, if any.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

_cache: dict[tuple[str, str], str] = {}


def _dialect_sql(conn: BaseDBAsyncClient, text: str) -> str:
    dialect = conn.capabilities.dialect
    cached = _cache.get((dialect, text))
    if cached is None:
        cached = text
        if dialect == "postgres":
            parts = text.split("?")
            cached = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        _cache[(dialect, text)] = cached
    return cached


async def execute(text: str, *values: object) -> int:
    """A write without RETURNING: how many rows it changed."""
    conn = get_connection("default")
    changed, _ = await conn.execute_query(_dialect_sql(conn, text), list(values))
    return changed


async def fetch(text: str, *values: object) -> list[dict]:
    """A SELECT, or a write with RETURNING: its rows."""
    conn = get_connection("default")
    return await conn.execute_query_dict(_dialect_sql(conn, text), list(values))


def placeholders(count: int, width: int = 1) -> str:
    """`?, ?, ?` for an IN list (width 1), or `(?, ?), (?, ?)` for `count` rows of VALUES."""
    one = "?" if width == 1 else "(" + ", ".join("?" * width) + ")"
    return ", ".join([one] * count)
