"""Helpers the migrations call.

Tortoise 1.x adds a CHECK constraint on SQLite by rebuilding the table, and
the rebuild forgets the table's unique-together constraints and indexes.
`restore_sqlite_indexes` puts them back right after; on PostgreSQL nothing was
lost and it does nothing. tests/ledger/test_schema.py proves both engines refuse a
duplicate and use the indexes.

The same rebuild drops the table's triggers, among them the ledger's guards
(core/ledger/guards.py): `install_ledger_guards` puts them back (and installs
them the first time, in 0002); scripts/makemigrations.py adds it to a
migration that rebuilds a ledger table.
"""

from __future__ import annotations

from tortoise.migrations.constraints import UniqueConstraint


async def install_ledger_guards(apps, editor) -> None:
    """Create every ledger guard not there yet; running it again changes nothing."""
    from core.ledger import guards

    await guards.install(editor.client)


def restore_sqlite_indexes(model_name: str, app_label: str = "models"):
    async def restore(apps, editor) -> None:
        if editor.DIALECT != "sqlite":
            return
        model = apps.get_model(f"{app_label}.{model_name}")
        table = model._meta.db_table
        for fields in model._meta.unique_together:
            await editor.add_constraint(model, UniqueConstraint(fields=tuple(fields)))
        for name, field in model._meta.fields_map.items():
            column = getattr(field, "source_field", None) or name
            if getattr(field, "index", False) and not field.unique and not field.pk:
                await editor.client.execute_script(
                    f'CREATE INDEX IF NOT EXISTS "idx_{table}_{column}" ON "{table}" ("{column}")'
                )

        for index in model._meta.indexes:
            columns = getattr(index, "fields", index)
            if isinstance(columns, (tuple, list)):
                name = f"idx_{table}_" + "_".join(columns)
                cols = ", ".join(f'"{c}"' for c in columns)
                await editor.client.execute_script(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})'
                )

    return restore


def seed_kinds(kinds: tuple[tuple[str, str], ...]):
    """A RunPython step that adds ledger kinds (code, description) not there yet."""

    async def seed(apps, editor) -> None:
        marks = ("?", "?") if editor.DIALECT == "sqlite" else ("$1", "$2")
        for code, description in kinds:
            _, rows = await editor.client.execute_query(
                f"SELECT code FROM ledger_kind WHERE code = {marks[0]}", [code]
            )
            if not rows:
                await editor.client.execute_query(
                    f"INSERT INTO ledger_kind (code, description) VALUES ({marks[0]}, {marks[1]})",
                    [code, description],
                )

    return seed
