"""Opening the database: one Tortoise config for the app, the CLI and the tests.

SQLite (the embedded default) runs in WAL mode with a busy timeout, one writer
process; PostgreSQL is the engine for more. The schema is created and upgraded
only by the migrations in `core/migrations` (`cccp db upgrade`). Opening it
also runs `core.setup()`, so whatever opens the database can move carbon.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.backends.base import executor

import core

# Every module that defines models. One app ("models"): foreign keys cross areas.
MODEL_MODULES = [
    "core.ledger.models",
    "core.certs.models",
    "core.registry.models",
    "core.catalog.models",
    "core.purchases.models",
    "core.users.models",
    "core.kv.models",
    "core.inbox.models",
    "core.outbox.models",
    "core.staff.models",
    "core.reforestation.models",
]
MIGRATIONS_MODULE = "core.migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Give SQLite files their directory and pragmas; accept postgresql:// too."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://") and ":memory:" not in url:
        path = url.removeprefix("sqlite://").split("?", 1)[0]
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if "busy_timeout" not in url:
            url += ("&" if "?" in url else "?") + f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"
        if "journal_mode" not in url:
            url += "&journal_mode=WAL"
    return url


def tortoise_config(url: str) -> dict:
    return {
        "connections": {"default": normalise_url(url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_db(url: str) -> None:
    """Connect once per process, before the bot or the web app starts."""
    # Tortoise caches INSERT statements per connection name, not per engine: a process
    # (a test run) that opens SQLite, then PostgreSQL, must not reuse SQLite's placeholders.
    executor.EXECUTOR_CACHE.clear()
    core.setup()
    await Tortoise.init(config=tortoise_config(url))


class SchemaNotReady(Exception):
    """The database lacks the schema, or some of it: `cccp db upgrade` first."""


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite://") or ":memory:" in url:
        return None
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    return Path(path) if path else None


async def pending_migrations(url: str) -> tuple[list[str], int]:
    """The migrations not applied yet to the open database (oldest first), and how many exist."""
    from tortoise.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(Tortoise.get_connection("default"), tortoise_config(url)["apps"])
    await executor.loader.build_graph()
    graph = executor.loader.graph
    applied = set(await executor.recorder.applied_migrations())
    # Every migration not recorded, not only those after the last one recorded:
    # Tortoise's own plan skips an older migration when a newer one is recorded.
    pending: list[str] = []
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            name = f"{key.app_label}.{key.name}"
            if key not in applied and name not in pending:
                pending.append(name)
    return pending, len(graph.nodes)


async def open_migrated_db(url: str) -> None:
    """`open_db`, but refuse a database the migrations have not (all) reached.

    Without this a missing schema surfaces as a "no such table" traceback half-way
    (`cccp verify` then exits 1, as if the ledger drifted), and opening a SQLite
    file that is not there creates an empty one.
    """
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        raise SchemaNotReady(f"the database {describe(url)} does not exist: run `cccp db upgrade`")
    await open_db(url)
    try:
        pending, total = await pending_migrations(url)
    except BaseException:
        await close_db()
        raise
    if pending:
        await close_db()
        state = "has no schema" if len(pending) == total else "is behind"
        raise SchemaNotReady(
            f"the database {describe(url)} {state} (not applied: {', '.join(pending)}): run `cccp db upgrade`"
        )


async def close_db() -> None:
    await Tortoise.close_connections()


async def upgrade(url: str) -> None:
    """Apply every migration not applied yet (what `cccp db upgrade` runs)."""
    from tortoise.migrations.api.migrate import migrate

    try:
        await migrate(config=tortoise_config(url))
    finally:
        await Tortoise.close_connections()


def describe(url: str) -> str:
    """The URL without a password, for logs."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _cli_config() -> dict:
    """The config `tortoise makemigrations -c core.db.TORTOISE_ORM` reads."""
    import os

    return tortoise_config(os.environ.get("DATABASE_URL", "sqlite://:memory:"))


TORTOISE_ORM = _cli_config()
