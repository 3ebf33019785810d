import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.certs.models import CertificateKind
from core.db_migration_support import restore_sqlite_indexes
from core.ledger.models import HoldStatus


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.CharField(db_index=True, max_length=64)),
                ('role', fields.CharField(max_length=32)),
                ('asset', fields.CharField(max_length=8)),
                ('balance', fields.BigIntField(default=0)),
                ('held', fields.BigIntField(default=0)),
                ('is_nonnegative', fields.BooleanField(default=True)),
                ('is_frozen', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ledger_account', 'app': 'models', 'unique_together': (('owner', 'role', 'asset'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('public_id', fields.CharField(unique=True, max_length=16)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('kind', fields.CharEnumField(description='RETIREMENT: retirement\nPURCHASE: purchase\nPRODUCT: product', enum_type=CertificateKind, max_length=16)),
                ('beneficiary', fields.CharField(max_length=200)),
                ('amount_kg', fields.BigIntField()),
                ('reason', fields.CharField(default='', max_length=500)),
                ('project_name', fields.CharField(max_length=200)),
                ('methodology', fields.CharField(default='', max_length=200)),
                ('country', fields.CharField(default='', max_length=2)),
                ('vintage', fields.IntField(null=True)),
                ('serial_ranges', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('retirement_id', fields.CharField(null=True, db_index=True, max_length=64)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('signature', fields.CharField(max_length=128)),
                ('key_id', fields.CharField(max_length=32)),
            ],
            options={'table': 'certificate', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Hold',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.BigIntField()),
                ('remaining', fields.BigIntField()),
                ('status', fields.CharEnumField(default=HoldStatus.PENDING, description='PENDING: pending\nPOSTED: posted\nVOIDED: voided\nEXPIRED: expired', enum_type=HoldStatus, max_length=8)),
                ('kind', fields.CharField(max_length=32)),
                ('memo', fields.CharField(default='', max_length=500)),
                ('metadata', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_hold', 'app': 'models', 'indexes': [Index(fields=['account_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeyValue',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('namespace', fields.CharField(max_length=64)),
                ('key', fields.CharField(max_length=200)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'kv_value', 'app': 'models', 'unique_together': (('namespace', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Posting',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('kind', fields.CharField(max_length=32)),
                ('memo', fields.CharField(default='', max_length=500)),
                ('metadata', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_posting', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Transfer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('posting', fields.ForeignKeyField('models.Posting', source_field='posting_id', db_constraint=True, to_field='id', related_name='transfers', on_delete=OnDelete.RESTRICT)),
                ('debit_account', fields.ForeignKeyField('models.Account', source_field='debit_account_id', db_constraint=True, to_field='id', related_name='debits', on_delete=OnDelete.RESTRICT)),
                ('credit_account', fields.ForeignKeyField('models.Account', source_field='credit_account_id', db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.RESTRICT)),
                ('asset', fields.CharField(max_length=8)),
                ('amount', fields.BigIntField()),
                ('hold', fields.ForeignKeyField('models.Hold', source_field='hold_id', null=True, db_constraint=True, to_field='id', related_name='transfers', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ledger_transfer', 'app': 'models', 'indexes': [Index(fields=['debit_account_id', 'id']), Index(fields=['credit_account_id', 'id']), Index(fields=['posting_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ('first_name', fields.CharField(max_length=128)),
                ('username', fields.CharField(null=True, max_length=64)),
                ('language', fields.CharField(null=True, max_length=8)),
                ('roles', fields.IntField(default=0)),
                ('terms_accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('has_notifications', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users_user', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Account', constraint=CheckConstraint(check='held >= 0', name='ledger_account_held_nonnegative')),
        ops.AddConstraint(model_name='Account', constraint=CheckConstraint(check='(NOT is_nonnegative) OR balance >= held', name='ledger_account_not_overdrawn')),
        ops.AddConstraint(model_name='Certificate', constraint=CheckConstraint(check='amount_kg > 0', name='certificate_amount_kg_positive')),
        ops.AddConstraint(model_name='Hold', constraint=CheckConstraint(check='amount > 0', name='ledger_hold_amount_positive')),
        ops.AddConstraint(model_name='Hold', constraint=CheckConstraint(check='remaining >= 0 AND remaining <= amount', name='ledger_hold_remaining_range')),
        ops.AddConstraint(model_name='Transfer', constraint=CheckConstraint(check='amount > 0', name='ledger_transfer_amount_positive')),
        ops.AddConstraint(model_name='Transfer', constraint=CheckConstraint(check='debit_account_id <> credit_account_id', name='ledger_transfer_two_accounts')),
        ops.AddConstraint(model_name='User', constraint=CheckConstraint(check='roles >= 0 AND roles <= 31', name='users_user_roles_known')),
        ops.RunPython(restore_sqlite_indexes('Account')),
        ops.RunPython(restore_sqlite_indexes('Certificate')),
        ops.RunPython(restore_sqlite_indexes('Hold')),
        ops.RunPython(restore_sqlite_indexes('Transfer')),
        ops.RunPython(restore_sqlite_indexes('User')),
    ]
