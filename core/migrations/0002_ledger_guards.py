"""A ledger the database guards (issue 13): kinds, hold steps, triggers.

- ledger_kind: the closed set of kinds, seeded with every kind the code uses,
  plus any other kind an existing database already recorded (so its rows
  stay valid); postings and holds reference it.
- ledger_hold_step: a row per post (part), void and expiry of a hold. An
  existing database gets the steps its postings recorded: a post's transfer
  (the last post of a posted hold released the rest), a void or expiry's
  posting without transfers (metadata hold_id and released).
- core/ledger/guards.py: asset match, append-only postings, transfers and
  steps, holds that only move on, kinds that exist; installed last, once the
  backfill has written its rows.
"""

import json

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.db_migration_support import install_ledger_guards, restore_sqlite_indexes
from core.ledger.models import HoldAction

# Literal, not kinds.Kind: what this migration seeds must not change when the enum grows.
KINDS = (
    ("issuance", "new credits out of the issuance account (registry)"),
    ("purchase", "credits held for a buyer and moved to them"),
    ("payment", "money in from Telegram or a card provider, on to the seller"),
    ("refund", "a payment sent back"),
    ("retirement", "credits out of circulation, for a beneficiary"),
    ("transfer", "one account to another, nothing more to say"),
    ("offer", "a market offer reserves the seller's credits"),
    ("post_hold", "what a hold reserved, moved"),
    ("void_hold", "a hold released"),
    ("expire_hold", "a hold released when its time ran out"),
)
FOUND = "recorded before kinds were a closed set"


def _marks(editor, n: int) -> list[str]:
    return ["?"] * n if editor.DIALECT == "sqlite" else [f"${i}" for i in range(1, n + 1)]


async def seed_kinds(apps, editor) -> None:
    client = editor.client
    code, description = _marks(editor, 2)
    for row in KINDS:
        await client.execute_query(
            f"INSERT INTO ledger_kind (code, description) VALUES ({code}, {description})", list(row)
        )
    await client.execute_query(
        f"INSERT INTO ledger_kind (code, description) SELECT DISTINCT kind, '{FOUND}' FROM"
        " (SELECT kind FROM ledger_posting UNION SELECT kind FROM ledger_hold) AS used"
        " WHERE kind NOT IN (SELECT code FROM ledger_kind)"
    )


def _steps_of(hold: dict, posts: list[tuple[int, int]], voids: list[tuple[int, object]]) -> list[tuple]:
    """(posting_id, action, posted, released) of one hold, oldest first."""
    steps = [(posting_id, "post", amount, 0) for posting_id, amount in posts]
    left = hold["amount"] - sum(amount for _, amount in posts)
    if hold["status"] == "posted" and steps:
        posting_id, action, posted, _ = steps[-1]
        steps[-1] = (posting_id, action, posted, max(left, 0))  # the post that released the rest
    elif hold["status"] in ("voided", "expired") and voids:
        posting_id, recorded = voids[-1]
        released = recorded if isinstance(recorded, int) and not isinstance(recorded, bool) else left
        if released > 0:
            steps.append((posting_id, "expire" if hold["status"] == "expired" else "void", 0, released))
    return steps


async def record_hold_steps(apps, editor) -> None:
    client = editor.client
    _, holds = await client.execute_query("SELECT id, amount, status FROM ledger_hold ORDER BY id")
    if not holds:
        return
    _, parts = await client.execute_query(
        "SELECT hold_id, posting_id, amount FROM ledger_transfer WHERE hold_id IS NOT NULL ORDER BY id"
    )
    posts: dict[int, list[tuple[int, int]]] = {}
    for row in parts:
        posts.setdefault(row["hold_id"], []).append((row["posting_id"], row["amount"]))
    _, lone = await client.execute_query(
        "SELECT p.id, p.metadata FROM ledger_posting p WHERE NOT EXISTS"
        " (SELECT 1 FROM ledger_transfer t WHERE t.posting_id = p.id) ORDER BY p.id"
    )
    voids: dict[int, list[tuple[int, object]]] = {}
    for row in lone:
        metadata = row["metadata"]
        metadata = json.loads(metadata) if isinstance(metadata, str | bytes) else metadata
        if isinstance(metadata, dict) and isinstance(metadata.get("hold_id"), int):
            voids.setdefault(metadata["hold_id"], []).append((row["id"], metadata.get("released")))
    marks = _marks(editor, 5)
    insert = (
        "INSERT INTO ledger_hold_step (hold_id, posting_id, action, posted, released, created_at)"
        f" SELECT {marks[0]}, id, {marks[1]}, {marks[2]}, {marks[3]}, created_at FROM ledger_posting"
        f" WHERE id = {marks[4]}"
    )
    for hold in holds:
        for posting_id, action, posted, released in _steps_of(
            hold, posts.get(hold["id"], []), voids.get(hold["id"], [])
        ):
            await client.execute_query(insert, [hold["id"], action, posted, released, posting_id])


async def unique_step_postings(apps, editor) -> None:
    # The SQLite rebuild behind AddConstraint drops a foreign key's UNIQUE: one posting, one step.
    if editor.DIALECT == "sqlite":
        await editor.client.execute_query(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_ledger_hold_step_posting_id"'
            ' ON "ledger_hold_step" ("posting_id")'
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HoldStep',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hold', fields.ForeignKeyField('models.Hold', source_field='hold_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.RESTRICT)),
                ('posting', fields.ForeignKeyField('models.Posting', source_field='posting_id', unique=True, db_constraint=True, to_field='id', related_name='hold_steps', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharEnumField(description='POST: post\nVOID: void\nEXPIRE: expire', enum_type=HoldAction, max_length=8)),
                ('posted', fields.BigIntField()),
                ('released', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_hold_step', 'app': 'models', 'indexes': [Index(fields=['hold_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A post (part), a void or an expiry of a hold: appended, never changed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostingKind',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('description', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'ledger_kind', 'app': 'models', 'pk_attr': 'code', 'table_description': 'One row per kind (kinds.Kind): postings and holds name theirs by `code`.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='HoldStep', constraint=CheckConstraint(check='posted >= 0 AND released >= 0 AND posted + released > 0', name='ledger_hold_step_amounts')),
        ops.AddConstraint(model_name='HoldStep', constraint=CheckConstraint(check="(action = 'post' AND posted > 0) OR (action IN ('void', 'expire') AND posted = 0)", name='ledger_hold_step_action')),
        ops.RunPython(restore_sqlite_indexes('HoldStep')),
        ops.RunPython(unique_step_postings),
        ops.RunPython(seed_kinds),
        ops.RunPython(record_hold_steps),
        ops.RunPython(install_ledger_guards),
    ]
