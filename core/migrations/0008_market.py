import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.db_migration_support import restore_sqlite_indexes
from core.market.models import OfferStatus, Side, TopUpStatus, WithdrawalStatus

# Literal, not kinds.Kind: what this migration seeds must not change when the enum grows.
MARKET_KINDS = (
    ("trade", "a market fill: carbon to the buyer, Stars to the seller, the fee"),
    ("topup", "Stars paid by invoice into a market wallet"),
    ("withdrawal", "Stars a wallet asked to withdraw, held until staff settle it"),
)


async def seed_market_kinds(apps, editor) -> None:
    marks = "?, ?" if editor.DIALECT == "sqlite" else "$1, $2"
    for row in MARKET_KINDS:
        await editor.client.execute_query(
            f"INSERT INTO ledger_kind (code, description) SELECT {marks} WHERE NOT EXISTS"
            f" (SELECT 1 FROM ledger_kind WHERE code = '{row[0]}')", list(row)
        )




class Migration(migrations.Migration):
    dependencies = [('models', '0007_reforestation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('project_id', fields.BigIntField(null=True)),
                ('project_type', fields.CharField(null=True, max_length=32)),
                ('country', fields.CharField(null=True, max_length=2)),
                ('max_price_per_t', fields.BigIntField()),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_alert', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Book',
            fields=[
                ('project_id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_price_per_t', fields.BigIntField(null=True)),
                ('last_trade_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_book', 'app': 'models', 'pk_attr': 'project_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Offer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('side', fields.CharEnumField(description='SELL: sell\nBUY: buy', enum_type=Side, max_length=4)),
                ('user_id', fields.BigIntField()),
                ('project_id', fields.BigIntField(null=True)),
                ('batch_id', fields.BigIntField(null=True)),
                ('project_type', fields.CharField(null=True, max_length=32)),
                ('country', fields.CharField(null=True, max_length=2)),
                ('vintage_from', fields.SmallIntField(null=True)),
                ('vintage_to', fields.SmallIntField(null=True)),
                ('price_per_t', fields.BigIntField()),
                ('amount_kg', fields.BigIntField()),
                ('remaining_kg', fields.BigIntField()),
                ('rest_kg', fields.BigIntField(default=0)),
                ('maker_filled_kg', fields.BigIntField(default=0)),
                ('min_fill_kg', fields.BigIntField(default=1)),
                ('status', fields.CharEnumField(default=OfferStatus.OPEN, description='OPEN: open\nFILLED: filled\nCANCELLED: cancelled\nEXPIRED: expired', enum_type=OfferStatus, max_length=9)),
                ('hold_id', fields.BigIntField(null=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_offer', 'app': 'models', 'indexes': [Index(fields=['project_id', 'side', 'status', 'price_per_t', 'created_at']), Index(fields=['user_id', 'status']), Index(fields=['status', 'expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('public_id', fields.CharField(unique=True, max_length=16)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('amount_xtr', fields.BigIntField()),
                ('status', fields.CharEnumField(default=TopUpStatus.PENDING, description='PENDING: pending\nPAID: paid', enum_type=TopUpStatus, max_length=8)),
                ('charge_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_topup', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Trade',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('project_id', fields.BigIntField(db_index=True)),
                ('batch_id', fields.BigIntField()),
                ('sell_offer_id', fields.BigIntField(null=True)),
                ('buy_offer_id', fields.BigIntField(null=True)),
                ('seller_id', fields.BigIntField(db_index=True)),
                ('buyer_id', fields.BigIntField(db_index=True)),
                ('amount_kg', fields.BigIntField()),
                ('price_per_t', fields.BigIntField()),
                ('value_xtr', fields.BigIntField()),
                ('fee_xtr', fields.BigIntField()),
                ('serials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_trade', 'app': 'models', 'indexes': [Index(fields=['project_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Withdrawal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('amount_xtr', fields.BigIntField()),
                ('hold_id', fields.BigIntField()),
                ('status', fields.CharEnumField(default=WithdrawalStatus.REQUESTED, description='REQUESTED: requested\nPAID: paid\nREJECTED: rejected', enum_type=WithdrawalStatus, max_length=9)),
                ('note', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'market_withdrawal', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='Offer', constraint=CheckConstraint(check='price_per_t > 0', name='market_offer_price_positive')),
        ops.AddConstraint(model_name='Offer', constraint=CheckConstraint(check='remaining_kg >= 0 AND remaining_kg <= amount_kg', name='market_offer_remaining_range')),
        ops.AddConstraint(model_name='Offer', constraint=CheckConstraint(check='min_fill_kg >= 1', name='market_offer_min_fill')),
        ops.AddConstraint(model_name='TopUp', constraint=CheckConstraint(check='amount_xtr > 0', name='market_topup_amount_positive')),
        ops.AddConstraint(model_name='Trade', constraint=CheckConstraint(check='amount_kg > 0', name='market_trade_amount_positive')),
        ops.AddConstraint(model_name='Trade', constraint=CheckConstraint(check='fee_xtr >= 0 AND fee_xtr <= value_xtr', name='market_trade_fee_range')),
        ops.RunPython(restore_sqlite_indexes('Offer')),
        ops.RunPython(restore_sqlite_indexes('TopUp')),
        ops.RunPython(restore_sqlite_indexes('Trade')),
        ops.RunPython(seed_market_kinds),
    ]
