import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

from core.db_migration_support import restore_sqlite_indexes, seed_kinds
from core.reforestation.models import EventKind, PlotStatus, RequestStatus, TreeOrderStatus
from core.registry.models import BlockStatus

# Literal, not kinds.Kind: what this migration seeds must not change when the enum grows.
KINDS = (
    ("cancellation", "buffer credits cancelled for a loss (reforestation)"),
    ("planting", "a share of a purchase's fee into the planting fund (reforestation)"),
)


class Migration(migrations.Migration):
    dependencies = [('models', '0006_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Plot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='plots', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=120)),
                ('location', fields.CharField(max_length=200)),
                ('country', fields.CharField(max_length=2)),
                ('area_m2', fields.BigIntField()),
                ('species', fields.CharField(max_length=40)),
                ('rotation_years', fields.SmallIntField()),
                ('rotation', fields.IntField(default=1)),
                ('planted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('trees_planted', fields.IntField()),
                ('trees_alive', fields.IntField()),
                ('calibration_ppm', fields.BigIntField(default=1000000)),
                ('status', fields.CharEnumField(default=PlotStatus.PLANTED, description='PLANTED: planted\nGROWING: growing\nHARVESTED: harvested\nLOST: lost', enum_type=PlotStatus, max_length=12)),
                ('lta_kg', fields.BigIntField()),
                ('issued_kg', fields.BigIntField(default=0)),
                ('cancelled_kg', fields.BigIntField(default=0)),
                ('shortfall_kg', fields.BigIntField(default=0)),
                ('last_issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forest_plot', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IssuanceRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plot', fields.ForeignKeyField('models.Plot', source_field='plot_id', db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('amount_kg', fields.BigIntField()),
                ('status', fields.CharEnumField(default=RequestStatus.REQUESTED, description='REQUESTED: requested\nISSUED: issued\nREFUSED: refused', enum_type=RequestStatus, max_length=12)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_kg', fields.BigIntField(default=0)),
                ('batch_id', fields.BigIntField(null=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'forest_issuance_request', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Loss',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plot', fields.ForeignKeyField('models.Plot', source_field='plot_id', db_constraint=True, to_field='id', related_name='losses', on_delete=OnDelete.RESTRICT)),
                ('cause', fields.CharField(max_length=16)),
                ('share_ppm', fields.BigIntField()),
                ('lost_kg', fields.BigIntField()),
                ('reversal_kg', fields.BigIntField()),
                ('cancelled_kg', fields.BigIntField()),
                ('shortfall_kg', fields.BigIntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'forest_loss', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Measurement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plot', fields.ForeignKeyField('models.Plot', source_field='plot_id', db_constraint=True, to_field='id', related_name='measurements', on_delete=OnDelete.RESTRICT)),
                ('rotation', fields.IntField()),
                ('measured_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('volume_dm3_ha', fields.BigIntField()),
                ('trees_alive', fields.IntField()),
                ('by_user_id', fields.BigIntField()),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'forest_measurement', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlotEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plot', fields.ForeignKeyField('models.Plot', source_field='plot_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='PLANTED: planted\nMEASURED: measured\nHARVESTED: harvested\nREPLANTED: replanted\nLOSS: loss\nISSUED: issued', enum_type=EventKind, max_length=12)),
                ('rotation', fields.IntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('stock_kg', fields.BigIntField(default=0)),
                ('amount_kg', fields.BigIntField(default=0)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'forest_event', 'app': 'models', 'indexes': [Index(fields=['plot_id', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TreeOrder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reduction_order_id', fields.BigIntField(unique=True)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('amount_kg', fields.BigIntField()),
                ('trees', fields.IntField()),
                ('status', fields.CharEnumField(default=TreeOrderStatus.WAITING, description='WAITING: waiting\nPLANTED: planted', enum_type=TreeOrderStatus, max_length=12)),
                ('plot', fields.ForeignKeyField('models.Plot', source_field='plot_id', null=True, db_constraint=True, to_field='id', related_name='tree_orders', on_delete=OnDelete.RESTRICT)),
                ('milestone', fields.SmallIntField(default=0)),
                ('fund_amount', fields.BigIntField(default=0)),
                ('fund_currency', fields.CharField(default='', max_length=3)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('planted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forest_tree_order', 'app': 'models', 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='SerialBlock',
            name='status',
            field=fields.CharEnumField(default=BlockStatus.ACTIVE, description='ACTIVE: active\nHELD: held\nRETIRED: retired\nCANCELLED: canceled', enum_type=BlockStatus, max_length=8),
        ),
        ops.AddConstraint(model_name='Plot', constraint=CheckConstraint(check='area_m2 > 0', name='forest_plot_area_positive')),
        ops.AddConstraint(model_name='Plot', constraint=CheckConstraint(check='rotation_years > 0', name='forest_plot_rotation_positive')),
        ops.AddConstraint(model_name='Plot', constraint=CheckConstraint(check='trees_planted > 0 AND trees_alive >= 0 AND trees_alive <= trees_planted', name='forest_plot_trees_range')),
        ops.AddConstraint(model_name='Plot', constraint=CheckConstraint(check='issued_kg >= 0 AND issued_kg - cancelled_kg <= lta_kg', name='forest_plot_issued_within_lta')),
        ops.AddConstraint(model_name='Plot', constraint=CheckConstraint(check='cancelled_kg >= 0 AND shortfall_kg >= 0', name='forest_plot_losses_nonnegative')),
        ops.AddConstraint(model_name='IssuanceRequest', constraint=CheckConstraint(check='amount_kg > 0', name='forest_request_amount_positive')),
        ops.AddConstraint(model_name='Loss', constraint=CheckConstraint(check='share_ppm > 0 AND share_ppm <= 1000000', name='forest_loss_share_range')),
        ops.AddConstraint(model_name='Loss', constraint=CheckConstraint(check='reversal_kg = cancelled_kg + shortfall_kg', name='forest_loss_adds_up')),
        ops.AddConstraint(model_name='Measurement', constraint=CheckConstraint(check='volume_dm3_ha >= 0 AND trees_alive >= 0', name='forest_measurement_ranges')),
        ops.AddConstraint(model_name='TreeOrder', constraint=CheckConstraint(check='trees > 0', name='forest_tree_order_trees_positive')),
        ops.RunPython(restore_sqlite_indexes('IssuanceRequest')),
        ops.RunPython(restore_sqlite_indexes('Loss')),
        ops.RunPython(restore_sqlite_indexes('Measurement')),
        ops.RunPython(restore_sqlite_indexes('Plot')),
        ops.RunPython(restore_sqlite_indexes('TreeOrder')),
        ops.RunPython(restore_sqlite_indexes('SerialBlock')),
        ops.RunPython(seed_kinds(KINDS)),
    ]
