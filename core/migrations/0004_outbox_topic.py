from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from core.outbox.models import Topic


class Migration(migrations.Migration):
    dependencies = [('models', '0003_inbox_outbox_suspense')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='topic',
            field=fields.CharEnumField(null=True, description='FILLS: fills\nALERTS: alerts\nTREES: trees\nNEWS: news', enum_type=Topic, max_length=8),
        ),
    ]
