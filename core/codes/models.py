"""Merchants, their products, funded batches of codes, and the codes themselves.

A merchant (one per user) goes pending -> approved -> suspended; only an approved
merchant funds codes. A batch of N codes of one product is backed at funding: the
merchant's N x kg move to the batch's shard accounts and every code gets a hold of
its own on its shard (code i on shard i mod shards), so claims of different codes
touch different hold rows and, mostly, different account rows (DECISIONS.md).

A code is stored only as its keyed hash (HMAC-SHA256 under the codes secret): a copy
of the database reveals no unclaimed code. The printed code is derived from the
secret, the batch and the code's index, so a batch's labels can be printed again.
A code's state moves once, by conditional UPDATE: unclaimed -> claimed, or
unclaimed -> expired (its backing retired for the merchant) -> claimed.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class MerchantStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class CodeState(StrEnum):
    UNCLAIMED = "unclaimed"
    EXPIRED = "expired"  # its backing was retired for the merchant; a claim still gets a certificate
    CLAIMED = "claimed"


class BatchStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"


class Merchant(models.Model):
    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(unique=True)
    name = fields.CharField(max_length=128)
    status = fields.CharEnumField(MerchantStatus, max_length=16, default=MerchantStatus.PENDING)
    created_at = fields.DatetimeField()
    status_changed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "codes_merchant"


class CodeProduct(models.Model):
    id = fields.BigIntField(primary_key=True)
    merchant = fields.ForeignKeyField("models.Merchant", related_name="products", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=120)
    gtin = fields.CharField(max_length=32, null=True)  # GTIN or SKU, as the merchant writes it
    kg_per_unit = fields.BigIntField()
    footprint_basis = fields.CharField(max_length=200, null=True)  # "1 kg beef": what the kg were worked out from
    created_at = fields.DatetimeField()

    class Meta:
        table = "codes_product"
        constraints = [CheckConstraint(check="kg_per_unit > 0", name="codes_product_kg_positive")]


class CodeBatch(models.Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=16, unique=True)
    key = fields.CharField(max_length=200, unique=True)  # the caller's idempotency key
    product = fields.ForeignKeyField("models.CodeProduct", related_name="batches", on_delete=fields.RESTRICT)
    count = fields.IntField()
    kg_per_unit = fields.BigIntField()  # as funded: the product may change later
    shards = fields.IntField()
    status = fields.CharEnumField(BatchStatus, max_length=16, default=BatchStatus.ACTIVE)
    expires_at = fields.DatetimeField(null=True)
    expired_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "codes_batch"
        constraints = [
            CheckConstraint(check="count > 0", name="codes_batch_count_positive"),
            CheckConstraint(check="shards > 0", name="codes_batch_shards_positive"),
        ]


class BatchShard(models.Model):
    """One of a batch's backing accounts, with the retirement of its expiry (once expired)."""

    id = fields.BigIntField(primary_key=True)
    batch = fields.ForeignKeyField("models.CodeBatch", related_name="shard_rows", on_delete=fields.RESTRICT)
    index = fields.IntField()
    account_id = fields.BigIntField()
    retirement_public_id = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "codes_shard"
        unique_together = (("batch", "index"),)


class Code(models.Model):
    id = fields.BigIntField(primary_key=True)
    batch = fields.ForeignKeyField("models.CodeBatch", related_name="codes", on_delete=fields.RESTRICT)
    index = fields.IntField()
    hash = fields.CharField(max_length=64, unique=True)  # HMAC-SHA256 hex of the code
    shard = fields.IntField()
    hold_id = fields.BigIntField()
    state = fields.CharEnumField(CodeState, max_length=16, default=CodeState.UNCLAIMED)
    claimed_by = fields.BigIntField(null=True)
    claimed_at = fields.DatetimeField(null=True)
    retirement_public_id = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "codes_code"
        unique_together = (("batch", "index"),)


class CodeMiss(models.Model):
    """An unknown or mistyped code someone sent: ten in an hour pause their claims.

    `who` is "user:<telegram id>" in the bot, "ip:<address>" on the public page."""

    id = fields.BigIntField(primary_key=True)
    who = fields.CharField(max_length=64, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "codes_miss"


class CodeReduction(models.Model):
    """The carbon reduction order a claim starts, as a purchase does (seed claim), shown with its retirement."""

    id = fields.BigIntField(primary_key=True)
    code = fields.OneToOneField("models.Code", related_name="reduction", on_delete=fields.RESTRICT)
    amount_kg = fields.BigIntField()
    status = fields.CharField(max_length=16, default="recorded")  # "recorded" until reforestation plants it
    retirement_public_id = fields.CharField(max_length=16, null=True, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "codes_reduction"
