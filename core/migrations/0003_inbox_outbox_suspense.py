import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from core.inbox.models import InboxState
from core.outbox.models import OutboxState
from core.purchases.models import PaymentOutcome


class Migration(migrations.Migration):
    dependencies = [('models', '0002_ledger_guards')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboxUpdate',
            fields=[
                ('update_id', fields.BigIntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('body', fields.TextField(unique=False)),
                ('chat_id', fields.BigIntField(null=True)),
                ('state', fields.CharEnumField(default=InboxState.PENDING, description='PENDING: pending\nDONE: done\nFAILED: failed', enum_type=InboxState, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_update', 'app': 'models', 'indexes': [Index(fields=['state', 'update_id']), Index(fields=['state', 'handled_at'])], 'pk_attr': 'update_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('holder', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'process_lease', 'app': 'models', 'pk_attr': 'name'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=32)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('dedup_key', fields.CharField(unique=True, max_length=200)),
                ('state', fields.CharEnumField(default=OutboxState.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed', enum_type=OutboxState, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['state', 'due_at']), Index(fields=['chat_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentAnomaly',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('charge_id', fields.CharField(unique=True, max_length=255)),
                ('user_id', fields.BigIntField()),
                ('currency', fields.CharField(max_length=16)),
                ('total_text', fields.CharField(max_length=64)),
                ('payload', fields.CharField(default='', max_length=200)),
                ('reason', fields.CharField(max_length=32)),
                ('refund_attempts', fields.IntField(default=0)),
                ('refund_error', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('refunded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_anomaly', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A successful_payment the ledger cannot book (a total that is not a positive'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Payment',
            name='outcome',
            field=fields.CharEnumField(description='RECEIVED: received\nCOMPLETED: completed\nREFUND_NEEDED: refund_needed\nREFUNDED: refunded', enum_type=PaymentOutcome, max_length=16),
        ),
        ops.AddField(
            model_name='Payment',
            name='booked_to',
            field=fields.CharField(default='wallet', max_length=8),
        ),
        ops.AddField(
            model_name='Payment',
            name='payload',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Payment',
            name='refund_attempts',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Payment',
            name='refund_error',
            field=fields.CharField(default='', max_length=200),
        ),
    ]
