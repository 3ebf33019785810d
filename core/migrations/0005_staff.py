import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.db_migration_support import restore_sqlite_indexes
from core.staff.models import BroadcastState, TicketState

# Literal, not kinds.Kind: what this migration seeds must not change when the enum grows.
KINDS = (
    ("adjustment", "staff correct a money balance against the adjustments account, with a reason"),
    ("goodwill", "staff credit Stars as a remedy after a retirement (no refund possible)"),
)


async def seed_kinds(apps, editor) -> None:
    marks = ["?", "?"] if editor.DIALECT == "sqlite" else ["$1", "$2"]
    for code, description in KINDS:
        _, found = await editor.client.execute_query(
            "SELECT code FROM ledger_kind WHERE code = " + marks[0], [code])
        if not found:
            await editor.client.execute_query(
                f"INSERT INTO ledger_kind (code, description) VALUES ({marks[0]}, {marks[1]})", [code, description])


async def audit_append_only(apps, editor) -> None:
    """The audit log is append-only: the database refuses UPDATE and DELETE on it."""
    client = editor.client
    if editor.DIALECT == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            name = f"staff_audit_append_only_{verb.lower()}"
            await client.execute_query(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {verb} ON "staff_audit" FOR EACH ROW'
                f" BEGIN SELECT RAISE(ABORT, '{name}: append-only'); END"
            )
        return
    await client.execute_query(
        "CREATE OR REPLACE FUNCTION staff_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'staff_audit: append-only' USING ERRCODE = 'restrict_violation'; END $$"
    )
    await client.execute_query('DROP TRIGGER IF EXISTS "staff_audit_append_only" ON "staff_audit"')
    await client.execute_query(
        'CREATE TRIGGER "staff_audit_append_only" BEFORE UPDATE OR DELETE ON "staff_audit"'
        " FOR EACH ROW EXECUTE FUNCTION staff_audit_refuse()"
    )


class Migration(migrations.Migration):
    dependencies = [('models', '0004_outbox_topic')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.BigIntField(null=True, db_index=True)),
                ('action', fields.CharField(max_length=32)),
                ('target_user_id', fields.BigIntField(null=True, db_index=True)),
                ('target', fields.CharField(default='', max_length=200)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('before', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('posting_keys', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_refused', fields.BooleanField(default=False)),
            ],
            options={'table': 'staff_audit', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Broadcast',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_id', fields.BigIntField()),
                ('segment', fields.CharField(max_length=32)),
                ('text', fields.CharField(max_length=4096)),
                ('state', fields.CharEnumField(default=BroadcastState.DRAFT, description='DRAFT: draft\nSENDING: sending\nDONE: done\nCANCELLED: cancelled', enum_type=BroadcastState, max_length=10)),
                ('recipients', fields.IntField(default=0)),
                ('progress_chat_id', fields.BigIntField(null=True)),
                ('progress_message_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_broadcast', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Freeze',
            fields=[
                ('user_id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('reason', fields.CharField(max_length=500)),
                ('frozen_by', fields.BigIntField()),
                ('frozen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_freeze', 'app': 'models', 'pk_attr': 'user_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffAdmin',
            fields=[
                ('user_id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('since', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_admin', 'app': 'models', 'pk_attr': 'user_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffRefund',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('charge_id', fields.CharField(unique=True, max_length=255)),
                ('user_id', fields.BigIntField()),
                ('actor_id', fields.BigIntField()),
                ('reason', fields.CharField(max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_refund', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One per charge: a second press finds it and refunds nothing again.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('state', fields.CharEnumField(default=TicketState.OPEN, description='OPEN: open\nANSWERED: answered\nCLOSED: closed', enum_type=TicketState, max_length=8)),
                ('chat_id', fields.BigIntField(null=True)),
                ('thread_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_ticket', 'app': 'models', 'indexes': [Index(fields=['state', 'updated_at']), Index(fields=['chat_id', 'thread_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.RESTRICT)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField()),
                ('is_from_user', fields.BooleanField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_ticket_message', 'app': 'models', 'unique_together': (('chat_id', 'message_id'),), 'pk_attr': 'id', 'table_description': 'A message of a ticket as it stands in the support group (to find the ticket of a reply).'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Broadcast', constraint=CheckConstraint(check='recipients >= 0', name='staff_broadcast_recipients')),
        ops.RunPython(restore_sqlite_indexes('Broadcast')),
        ops.RunPython(seed_kinds),
        ops.RunPython(audit_append_only),
    ]
