from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from core.outbox.models import OutboxState


class Migration(migrations.Migration):
    dependencies = [('models', '0005_staff')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxPace',
            fields=[
                ('chat_id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('next_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('busy_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paused_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_limited_chat', fields.BigIntField(null=True)),
                ('version', fields.BigIntField(default=0)),
                ('rate_limited', fields.BigIntField(default=0)),
            ],
            options={'table': 'outbox_pace', 'app': 'models', 'pk_attr': 'chat_id', 'table_description': 'Pacing shared by every sender process: one row per chat, and row 0 for the bot as a whole.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='state',
            field=fields.CharEnumField(default=OutboxState.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed\nSKIPPED: skipped', enum_type=OutboxState, max_length=8),
        ),
        ops.AddField(
            model_name='User',
            name='blocked_bot_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='muted_topics',
            field=fields.CharField(default='', max_length=64),
        ),
    ]
