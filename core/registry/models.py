"""Registry models: projects, batches, serial blocks, retirements.

A Project (public `code`, e.g. ``P7``) belongs to a producer (a user id) and
follows one methodology. A Batch is one issuance of one project and vintage:
the contiguous serial range [serial_first, serial_last], one serial per kg
CO2e. Serial numbers are global: one counter row (SerialCounter) hands out
ranges, updated in the issuing transaction, so two batches never overlap.

A SerialBlock is a range [serial_first, serial_last] of one batch sitting in one ledger
account, ACTIVE, HELD (by `hold_id`) or RETIRED (by the posting
`retired_posting_id`). Blocks follow the ledger (core/registry/blocks.py):
for every account, its active + held blocks add up to its carbon balance,
its held blocks to its held amount; the blocks of a batch cover its range
exactly once. Blocks are ranges, never a row per serial, so a movement costs
the blocks it touches whatever the batch size.

A Retirement records who retired credits, for whom and why, and points at
its posting, whose retired blocks are its exact serial ranges.

Invariants the schema holds: positive amounts, ranges with first <= last,
a batch's amount equals its range, no two blocks (or batches) start or end
at the same serial, a held block names its hold and only a held block does,
a retired block names its posting and only a retired block does, one key
per batch and per retirement, buffer percent in [0, 100).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class BlockStatus(StrEnum):
    ACTIVE = "active"
    HELD = "held"
    RETIRED = "retired"
    CANCELLED = "canceled"  # 8 characters, the column's width; lost (fire, storm, pest) and cancelled out of a buffer pool; never retired


class Project(models.Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=12, unique=True)  # in serial numbers: CCCP-<code>-...
    name = fields.CharField(max_length=200)
    methodology = fields.CharField(max_length=32)  # a code of core.registry.methodologies
    standard = fields.CharField(max_length=32)
    project_type = fields.CharField(max_length=32)
    country = fields.CharField(max_length=2)  # ISO 3166-1 alpha-2
    location = fields.CharField(max_length=200, default="")
    description = fields.TextField(default="")
    producer_id = fields.BigIntField(db_index=True)  # the producer's user id
    status = fields.CharEnumField(ProjectStatus, max_length=16, default=ProjectStatus.DRAFT)
    buffer_percent = fields.SmallIntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "registry_project"
        constraints = [
            CheckConstraint(
                check="buffer_percent >= 0 AND buffer_percent < 100",
                name="registry_project_buffer_percent_range",
            ),
        ]


class SerialCounter(models.Model):
    """One row (id 1): the next serial number not yet given to any batch."""

    id = fields.IntField(primary_key=True)
    next_serial = fields.BigIntField()

    class Meta:
        table = "registry_serial_counter"


class Batch(models.Model):
    id = fields.BigIntField(primary_key=True)
    project = fields.ForeignKeyField("models.Project", related_name="batches", on_delete=fields.RESTRICT)
    vintage = fields.SmallIntField()
    serial_first = fields.BigIntField(unique=True)
    serial_last = fields.BigIntField(unique=True)
    amount_kg = fields.BigIntField()
    buffer_kg = fields.BigIntField(default=0)
    key = fields.CharField(max_length=200, unique=True)
    posting_key = fields.CharField(max_length=200)
    issued_at = fields.DatetimeField()

    class Meta:
        table = "registry_batch"
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="registry_batch_amount_positive"),
            CheckConstraint(
                check="serial_last - serial_first + 1 = amount_kg",
                name="registry_batch_range_is_amount",
            ),
            CheckConstraint(
                check="buffer_kg >= 0 AND buffer_kg < amount_kg", name="registry_batch_buffer_range"
            ),
        ]


class Retirement(models.Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=16, unique=True)
    key = fields.CharField(max_length=200, unique=True)
    # What was asked under `key`: the same key with other content is a KeyConflict.
    fingerprint = fields.CharField(max_length=64)
    account = fields.ForeignKeyField("models.Account", related_name="retirements", on_delete=fields.RESTRICT)
    amount_kg = fields.BigIntField()
    beneficiary = fields.CharField(max_length=200)
    reason = fields.CharField(max_length=500, default="")
    posting = fields.ForeignKeyField(
        "models.Posting", related_name="retirement", on_delete=fields.RESTRICT, unique=True
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "registry_retirement"
        # /balance sums a wallet's retirements on every call.
        indexes = (("account_id",),)
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="registry_retirement_amount_positive"),
        ]


class SerialBlock(models.Model):
    id = fields.BigIntField(primary_key=True)
    batch = fields.ForeignKeyField("models.Batch", related_name="blocks", on_delete=fields.RESTRICT)
    serial_first = fields.BigIntField(unique=True)
    serial_last = fields.BigIntField(unique=True)
    account = fields.ForeignKeyField("models.Account", related_name="serial_blocks", on_delete=fields.RESTRICT)
    status = fields.CharEnumField(BlockStatus, max_length=8, default=BlockStatus.ACTIVE)
    hold = fields.ForeignKeyField(
        "models.Hold", related_name="serial_blocks", null=True, on_delete=fields.RESTRICT
    )
    retired_posting = fields.ForeignKeyField(
        "models.Posting", related_name="retired_blocks", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "registry_serial_block"
        # Movements read one account's blocks of one status lowest serial first,
        # or one batch's, or one hold's; look-ups find the block under a serial
        # by the UNIQUE index on `serial_first`.
        indexes = (
            ("account_id", "status", "serial_first"),
            ("account_id", "status", "batch_id", "serial_first"),
            ("hold_id", "serial_first"),
            ("retired_posting_id", "serial_first"),
            ("batch_id", "serial_first"),
        )
        constraints = [
            CheckConstraint(check="serial_first > 0 AND serial_last >= serial_first", name="registry_block_range"),
            CheckConstraint(
                check="(status = 'held' AND hold_id IS NOT NULL)"
                " OR (status <> 'held' AND hold_id IS NULL)",
                name="registry_block_hold",
            ),
            CheckConstraint(
                check="(status = 'retired' AND retired_posting_id IS NOT NULL)"
                " OR (status <> 'retired' AND retired_posting_id IS NULL)",
                name="registry_block_retired",
            ),
        ]
