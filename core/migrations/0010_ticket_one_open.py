from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.db_migration_support import restore_sqlite_indexes


async def mark_open_tickets(apps, editor) -> None:
    """Each user's newest ticket that is not closed keeps its place as their open ticket;
    an older one left open beside it (two /support at once, before this rule) is closed,
    so that the CHECK and the UNIQUE column hold for the rows already there."""
    client = editor.client
    await client.execute_script(
        "UPDATE staff_ticket SET state = 'closed' WHERE state <> 'closed' AND id < "
        "(SELECT MAX(newer.id) FROM staff_ticket AS newer "
        "WHERE newer.user_id = staff_ticket.user_id AND newer.state <> 'closed')"
    )
    await client.execute_script("UPDATE staff_ticket SET open_user_id = user_id WHERE state <> 'closed'")


class Migration(migrations.Migration):
    dependencies = [('models', '0009_codes')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Ticket',
            options={'table': 'staff_ticket', 'app': 'models', 'indexes': [Index(fields=['state', 'updated_at']), Index(fields=['chat_id', 'thread_id'])], 'pk_attr': 'id', 'table_description': "One user's support ticket; a user has at most one that is not closed."},
        ),
        ops.AddField(
            model_name='Ticket',
            name='open_user_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunPython(mark_open_tickets),
        ops.AddConstraint(
            model_name='Ticket',
            constraint=CheckConstraint(check="(state = 'closed' AND open_user_id IS NULL) OR (state <> 'closed' AND open_user_id IS NOT NULL AND open_user_id = user_id)", name='staff_ticket_one_open_per_user'),
        ),
        ops.RunPython(restore_sqlite_indexes('Ticket')),
    ]
