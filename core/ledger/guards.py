"""What the database refuses beyond the CHECK and UNIQUE constraints of models.py.

Tortoise cannot declare these, so they are SQL, per engine, installed by
migration 0002 (`install`) and looked for by `verify` (`missing`):

- a transfer moves the asset of both its accounts, and an account's asset
  never changes. PostgreSQL: composite foreign keys (debit_account_id, asset)
  and (credit_account_id, asset) onto a UNIQUE (id, asset) of ledger_account,
  declarative and checked by the engine. SQLite can add a foreign key only by
  rebuilding the table, which a migration cannot do to a table other tables
  reference while foreign keys are on (the rebuild's DROP is refused); a
  trigger says the same thing;
- a posting's and a hold's kind is a row of ledger_kind (kinds.py), and a
  kind in use is never removed: a foreign key on PostgreSQL, triggers on
  SQLite for the reason above;
- postings, transfers and hold steps are append-only: UPDATE and DELETE are
  refused by a trigger on both engines (TRUNCATE, which the tests use to wipe
  a PostgreSQL database, fires no row trigger);
- a hold is never deleted, and only a pending hold changes, only in its cache
  (remaining goes down, status leaves pending when remaining reaches zero,
  closed_at), never in what it was made with.

Every refusal is an IntegrityError to Tortoise on both engines.

SQLite loses a table's triggers when Tortoise rebuilds it (AddConstraint,
AlterField, RemoveField do): a migration that rebuilds one of these tables
calls `install` again after it (every statement here may run twice), and
`cccp verify` reports a guard that is missing.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

APPEND_ONLY = ("ledger_posting", "ledger_transfer", "ledger_hold_step")
_HOLD_FIXED = ("id", "key", "account_id", "amount", "kind", "memo", "metadata", "fingerprint",
               "expires_at", "created_at")
# A hold update that is not the cache of a pending hold moving on.
_HOLD_CHANGE_REFUSED = (
    " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _HOLD_FIXED)
    + " OR OLD.status <> 'pending' OR NEW.remaining > OLD.remaining"
    " OR (NEW.status = 'pending') <> (NEW.remaining > 0)"
)
_KIND_IN_USE = (
    "EXISTS (SELECT 1 FROM ledger_posting WHERE kind = OLD.code)"
    " OR EXISTS (SELECT 1 FROM ledger_hold WHERE kind = OLD.code)"
)


def _sqlite_trigger(name: str, when: str, table: str, condition: str | None, message: str) -> str:
    where = f" WHEN {condition}" if condition else ""
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{name}" {when} ON "{table}" FOR EACH ROW{where}'
        f" BEGIN SELECT RAISE(ABORT, '{name}: {message}'); END"
    )


SQLITE_TRIGGERS: dict[str, str] = {
    "ledger_transfer_asset_matches": _sqlite_trigger(
        "ledger_transfer_asset_matches", "BEFORE INSERT", "ledger_transfer",
        "NEW.asset IS NOT (SELECT asset FROM ledger_account WHERE id = NEW.debit_account_id)"
        " OR NEW.asset IS NOT (SELECT asset FROM ledger_account WHERE id = NEW.credit_account_id)",
        "a transfer moves the asset of both its accounts",
    ),
    "ledger_account_asset_fixed": _sqlite_trigger(
        "ledger_account_asset_fixed", "BEFORE UPDATE OF asset", "ledger_account",
        "NEW.asset IS NOT OLD.asset", "an account keeps its asset",
    ),
    "ledger_posting_kind_known": _sqlite_trigger(
        "ledger_posting_kind_known", "BEFORE INSERT", "ledger_posting",
        "NOT EXISTS (SELECT 1 FROM ledger_kind WHERE code = NEW.kind)", "unknown kind",
    ),
    "ledger_hold_kind_known": _sqlite_trigger(
        "ledger_hold_kind_known", "BEFORE INSERT", "ledger_hold",
        "NOT EXISTS (SELECT 1 FROM ledger_kind WHERE code = NEW.kind)", "unknown kind",
    ),
    "ledger_kind_in_use_delete": _sqlite_trigger(
        "ledger_kind_in_use_delete", "BEFORE DELETE", "ledger_kind", _KIND_IN_USE, "the kind is in use",
    ),
    "ledger_kind_in_use_update": _sqlite_trigger(
        "ledger_kind_in_use_update", "BEFORE UPDATE OF code", "ledger_kind",
        f"NEW.code IS NOT OLD.code AND ({_KIND_IN_USE})", "the kind is in use",
    ),
    **{
        f"{table}_append_only_{verb.lower()}": _sqlite_trigger(
            f"{table}_append_only_{verb.lower()}", f"BEFORE {verb}", table, None, "append-only"
        )
        for table in APPEND_ONLY
        for verb in ("UPDATE", "DELETE")
    },
    "ledger_hold_kept": _sqlite_trigger(
        "ledger_hold_kept", "BEFORE DELETE", "ledger_hold", None, "a hold is never deleted",
    ),
    "ledger_hold_cache_only": _sqlite_trigger(
        "ledger_hold_cache_only", "BEFORE UPDATE", "ledger_hold",
        _HOLD_CHANGE_REFUSED.replace("IS DISTINCT FROM", "IS NOT"),
        "only the remaining, status and closed_at of a pending hold move on",
    ),
}

_PG_REFUSE = """
CREATE OR REPLACE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: %', TG_NAME, TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$
"""


def _pg_trigger(name: str, when: str, table: str, condition: str | None, message: str) -> tuple[str, str]:
    where = f" WHEN ({condition})" if condition else ""
    return (
        f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"',
        f'CREATE TRIGGER "{name}" {when} ON "{table}" FOR EACH ROW{where}'
        f" EXECUTE FUNCTION ledger_refuse('{message}')",
    )


POSTGRES_TRIGGERS: dict[str, tuple[str, str]] = {
    "ledger_account_asset_fixed": _pg_trigger(
        "ledger_account_asset_fixed", "BEFORE UPDATE OF asset", "ledger_account",
        "NEW.asset IS DISTINCT FROM OLD.asset", "an account keeps its asset",
    ),
    **{
        f"{table}_append_only": _pg_trigger(
            f"{table}_append_only", "BEFORE UPDATE OR DELETE", table, None, "append-only"
        )
        for table in APPEND_ONLY
    },
    "ledger_hold_kept": _pg_trigger(
        "ledger_hold_kept", "BEFORE DELETE", "ledger_hold", None, "a hold is never deleted"
    ),
    "ledger_hold_cache_only": _pg_trigger(
        "ledger_hold_cache_only", "BEFORE UPDATE", "ledger_hold", _HOLD_CHANGE_REFUSED,
        "only the remaining, status and closed_at of a pending hold move on",
    ),
}

# In this order: the foreign keys onto (id, asset) need its UNIQUE first.
POSTGRES_CONSTRAINTS: dict[str, str] = {
    "ledger_account_id_asset": 'ALTER TABLE "ledger_account" ADD CONSTRAINT "ledger_account_id_asset"'
    " UNIQUE (id, asset)",
    "ledger_transfer_debit_asset": 'ALTER TABLE "ledger_transfer" ADD CONSTRAINT'
    ' "ledger_transfer_debit_asset" FOREIGN KEY (debit_account_id, asset)'
    ' REFERENCES "ledger_account" (id, asset)',
    "ledger_transfer_credit_asset": 'ALTER TABLE "ledger_transfer" ADD CONSTRAINT'
    ' "ledger_transfer_credit_asset" FOREIGN KEY (credit_account_id, asset)'
    ' REFERENCES "ledger_account" (id, asset)',
    "ledger_posting_kind_known": 'ALTER TABLE "ledger_posting" ADD CONSTRAINT "ledger_posting_kind_known"'
    ' FOREIGN KEY (kind) REFERENCES "ledger_kind" (code)',
    "ledger_hold_kind_known": 'ALTER TABLE "ledger_hold" ADD CONSTRAINT "ledger_hold_kind_known"'
    ' FOREIGN KEY (kind) REFERENCES "ledger_kind" (code)',
}


def _dialect(client: BaseDBAsyncClient) -> str:
    return client.capabilities.dialect


async def _present(client: BaseDBAsyncClient) -> set[str]:
    if _dialect(client) == "postgres":
        _, triggers = await client.execute_query("SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal")
        _, constraints = await client.execute_query(
            "SELECT conname AS name FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        return {r["name"] for r in triggers} | {r["name"] for r in constraints}
    _, rows = await client.execute_query("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return {r["name"] for r in rows}


def expected(dialect: str) -> list[str]:
    """The names of the guards an engine must have."""
    if dialect == "postgres":
        return [*POSTGRES_TRIGGERS, *POSTGRES_CONSTRAINTS]
    return list(SQLITE_TRIGGERS)


async def install(client: BaseDBAsyncClient) -> None:
    """Create every guard not there yet (inside the migration's transaction)."""
    if _dialect(client) != "postgres":
        for statement in SQLITE_TRIGGERS.values():
            await client.execute_query(statement)  # one statement: the splitting of RunSQL breaks BEGIN..END
        return
    await client.execute_query(_PG_REFUSE)
    for drop, create in POSTGRES_TRIGGERS.values():
        await client.execute_query(drop)
        await client.execute_query(create)
    present = await _present(client)
    for name, statement in POSTGRES_CONSTRAINTS.items():
        if name not in present:
            await client.execute_query(statement)


async def missing(client: BaseDBAsyncClient) -> list[str]:
    """The guards this database lacks (none, once migrated)."""
    present = await _present(client)
    return [name for name in expected(_dialect(client)) if name not in present]
