"""One JSON value per (namespace, key); see core/kv/__init__.py."""

from tortoise import fields, models


class KeyValue(models.Model):
    id = fields.BigIntField(primary_key=True)
    namespace = fields.CharField(max_length=64)
    key = fields.CharField(max_length=200)
    value = fields.JSONField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "kv_value"
        unique_together = (("namespace", "key"),)
