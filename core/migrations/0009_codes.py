from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.codes.models import BatchStatus, CodeState, MerchantStatus
from core.db_migration_support import restore_sqlite_indexes


# Literal, not kinds.Kind: what this migration seeds must not change when the enum grows.
KINDS = (
    ("code_fund", "a merchant's credits to the shard accounts of a batch of product codes"),
    ("code_backing", "one product code's hold on its shard account"),
    ("code_claim", "a product code's backing, to the shopper who claimed it"),
)


async def seed_kinds(apps, editor) -> None:
    marks = "?, ?" if editor.DIALECT == "sqlite" else "$1, $2"
    for row in KINDS:
        await editor.client.execute_query(f"INSERT INTO ledger_kind (code, description) VALUES ({marks})", list(row))


class Migration(migrations.Migration):
    dependencies = [('models', '0008_market')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CodeMiss',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('who', fields.CharField(db_index=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'codes_miss', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An unknown or mistyped code someone sent: ten in an hour pause their claims.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Merchant',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(unique=True)),
                ('name', fields.CharField(max_length=128)),
                ('status', fields.CharEnumField(default=MerchantStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nSUSPENDED: suspended', enum_type=MerchantStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'codes_merchant', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CodeProduct',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('merchant', fields.ForeignKeyField('models.Merchant', source_field='merchant_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=120)),
                ('gtin', fields.CharField(null=True, max_length=32)),
                ('kg_per_unit', fields.BigIntField()),
                ('footprint_basis', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'codes_product', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CodeBatch',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('public_id', fields.CharField(unique=True, max_length=16)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('product', fields.ForeignKeyField('models.CodeProduct', source_field='product_id', db_constraint=True, to_field='id', related_name='batches', on_delete=OnDelete.RESTRICT)),
                ('count', fields.IntField()),
                ('kg_per_unit', fields.BigIntField()),
                ('shards', fields.IntField()),
                ('status', fields.CharEnumField(default=BatchStatus.ACTIVE, description='ACTIVE: active\nEXPIRED: expired', enum_type=BatchStatus, max_length=16)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'codes_batch', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BatchShard',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('models.CodeBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name='shard_rows', on_delete=OnDelete.RESTRICT)),
                ('index', fields.IntField()),
                ('account_id', fields.BigIntField()),
                ('retirement_public_id', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'codes_shard', 'app': 'models', 'unique_together': (('batch', 'index'),), 'pk_attr': 'id', 'table_description': "One of a batch's backing accounts, with the retirement of its expiry (once expired)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Code',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('models.CodeBatch', source_field='batch_id', db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.RESTRICT)),
                ('index', fields.IntField()),
                ('hash', fields.CharField(unique=True, max_length=64)),
                ('shard', fields.IntField()),
                ('hold_id', fields.BigIntField()),
                ('state', fields.CharEnumField(default=CodeState.UNCLAIMED, description='UNCLAIMED: unclaimed\nEXPIRED: expired\nCLAIMED: claimed', enum_type=CodeState, max_length=16)),
                ('claimed_by', fields.BigIntField(null=True)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('retirement_public_id', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'codes_code', 'app': 'models', 'unique_together': (('batch', 'index'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CodeReduction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.OneToOneField('models.Code', source_field='code_id', db_constraint=True, to_field='id', related_name='reduction', on_delete=OnDelete.RESTRICT)),
                ('amount_kg', fields.BigIntField()),
                ('status', fields.CharField(default='recorded', max_length=16)),
                ('retirement_public_id', fields.CharField(null=True, db_index=True, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'codes_reduction', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The carbon reduction order a claim starts, as a purchase does (seed claim), shown with its retirement.'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='CodeProduct', constraint=CheckConstraint(check='kg_per_unit > 0', name='codes_product_kg_positive')),
        ops.AddConstraint(model_name='CodeBatch', constraint=CheckConstraint(check='count > 0', name='codes_batch_count_positive')),
        ops.AddConstraint(model_name='CodeBatch', constraint=CheckConstraint(check='shards > 0', name='codes_batch_shards_positive')),
        ops.RunPython(restore_sqlite_indexes('CodeBatch')),
        ops.RunPython(restore_sqlite_indexes('CodeProduct')),
        ops.RunPython(seed_kinds),
    ]
