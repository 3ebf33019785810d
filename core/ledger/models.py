"""The double-entry ledger, after TigerBeetle's accounts and transfers.

An Account holds one asset (``carbon`` in kg CO2e, or a currency in its minor
unit; Telegram Stars are ``XTR``) for one owner: a user (``user:<id>``), a
project (``project:<id>``) or the system (``system``) in a role such as
issuance, inventory, escrow, retirement, fees, adjustments or clearing.

A Transfer moves ``amount`` (> 0) from its debit account (whose balance goes
down) to its credit account (whose balance goes up). Transfers are never
updated or deleted: a mistake is undone by a new posting.

A Posting groups the transfers that happen together, in one database
transaction, under an idempotency key that is UNIQUE in the schema. Replaying
a key with the same content returns the first posting; other content raises
KeyConflict. Its ``kind`` says why (kinds.py): a row of ``ledger_kind``.

A Hold reserves part of an account's balance (``held`` on the account) until
it is posted (the reserved amount, or less, moves) or voided, or it expires.
available = balance - held. What happens to a hold afterwards is a HoldStep
each, with a posting of its own, as TigerBeetle records post-pending and
void-pending as transfers of their own: a post (part) moves ``posted`` and may
release the rest, a void or an expiry releases what is left. The hold's
``remaining``, ``status`` and ``closed_at`` are a cache of its steps, moved
on by a conditional UPDATE; `verify` recomputes them from the steps.

Invariants the schema itself enforces (so a bug in Python, or a hand-written
statement, cannot break them): amount > 0, debit != credit, held >= 0, a
non-negative account never has balance < held, one key per posting and per
hold, a transfer's asset is both its accounts' asset, a kind is a row of
``ledger_kind``; postings, transfers and hold steps are never updated or
deleted, a hold never deleted, and only a pending hold's cache changes. The
UNIQUE and CHECK constraints are declared here; what Tortoise cannot declare
(triggers, composite foreign keys) is guards.py, installed by migration 0002.
Invariants `verify` checks: every balance equals the sum of its transfers,
every hold's cache what its steps leave, every held amount the sum of its
pending holds, and each asset sums to zero over all accounts.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint

CARBON = "carbon"


class HoldStatus(StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


class HoldAction(StrEnum):
    """What a HoldStep did to its hold."""

    POST = "post"  # moved `posted`; released `released` (the rest, when it closed the hold)
    VOID = "void"  # released what was left
    EXPIRE = "expire"  # released what was left, its time being up


# The status a hold is left in by the step that brings its remaining to zero.
CLOSED_BY = {HoldAction.POST: HoldStatus.POSTED, HoldAction.VOID: HoldStatus.VOIDED,
             HoldAction.EXPIRE: HoldStatus.EXPIRED}


class PostingKind(models.Model):
    """One row per kind (kinds.Kind): postings and holds name theirs by `code`."""

    code = fields.CharField(max_length=32, primary_key=True)
    description = fields.CharField(max_length=200, default="")

    class Meta:
        table = "ledger_kind"


class Account(models.Model):
    id = fields.BigIntField(primary_key=True)
    owner = fields.CharField(max_length=64, db_index=True)
    role = fields.CharField(max_length=32)
    asset = fields.CharField(max_length=8)
    balance = fields.BigIntField(default=0)
    held = fields.BigIntField(default=0)
    is_nonnegative = fields.BooleanField(default=True)
    is_frozen = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ledger_account"
        unique_together = (("owner", "role", "asset"),)
        constraints = [
            CheckConstraint(check="held >= 0", name="ledger_account_held_nonnegative"),
            CheckConstraint(
                check="(NOT is_nonnegative) OR balance >= held",
                name="ledger_account_not_overdrawn",
            ),
            # Only the system accounts that mirror the outside world may go below
            # zero: accounts.may_go_negative (SYSTEM, UNBOUNDED_ROLES), spelled out
            # because accounts.py imports this module; tests/ledger/test_schema.py
            # checks the two agree for every role.
            CheckConstraint(
                check="is_nonnegative OR (owner = 'system' AND role IN ('issuance', 'clearing', 'adjustments'))",
                name="ledger_account_only_outside_world_unbounded",
            ),
        ]


class Posting(models.Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharField(max_length=32)
    memo = fields.CharField(max_length=500, default="")
    metadata = fields.JSONField(default=dict)
    fingerprint = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_posting"


class Hold(models.Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    account = fields.ForeignKeyField("models.Account", related_name="holds", on_delete=fields.RESTRICT)
    amount = fields.BigIntField()
    remaining = fields.BigIntField()
    status = fields.CharEnumField(HoldStatus, max_length=8, default=HoldStatus.PENDING)
    kind = fields.CharField(max_length=32)
    memo = fields.CharField(max_length=500, default="")
    metadata = fields.JSONField(default=dict)
    fingerprint = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ledger_hold"
        indexes = (("account_id", "status"),)
        constraints = [
            CheckConstraint(check="amount > 0", name="ledger_hold_amount_positive"),
            CheckConstraint(
                check="remaining >= 0 AND remaining <= amount", name="ledger_hold_remaining_range"
            ),
        ]


class HoldStep(models.Model):
    """A post (part), a void or an expiry of a hold: appended, never changed."""

    id = fields.BigIntField(primary_key=True)
    hold = fields.ForeignKeyField("models.Hold", related_name="steps", on_delete=fields.RESTRICT)
    posting = fields.ForeignKeyField(
        "models.Posting", related_name="hold_steps", unique=True, on_delete=fields.RESTRICT
    )
    action = fields.CharEnumField(HoldAction, max_length=8)
    posted = fields.BigIntField()  # moved to the credit account (a post's transfer amount)
    released = fields.BigIntField()  # given back to the account's available balance
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_hold_step"
        indexes = (("hold_id", "id"),)
        constraints = [
            CheckConstraint(
                check="posted >= 0 AND released >= 0 AND posted + released > 0",
                name="ledger_hold_step_amounts",
            ),
            CheckConstraint(
                check="(action = 'post' AND posted > 0) OR (action IN ('void', 'expire') AND posted = 0)",
                name="ledger_hold_step_action",
            ),
        ]


class Transfer(models.Model):
    id = fields.BigIntField(primary_key=True)
    posting = fields.ForeignKeyField("models.Posting", related_name="transfers", on_delete=fields.RESTRICT)
    debit_account = fields.ForeignKeyField(
        "models.Account", related_name="debits", on_delete=fields.RESTRICT
    )
    credit_account = fields.ForeignKeyField(
        "models.Account", related_name="credits", on_delete=fields.RESTRICT
    )
    asset = fields.CharField(max_length=8)
    amount = fields.BigIntField()
    hold = fields.ForeignKeyField("models.Hold", related_name="transfers", null=True, on_delete=fields.RESTRICT)
    created_at = fields.DatetimeField()

    class Meta:
        table = "ledger_transfer"
        # History pages read one account's transfers newest first.
        indexes = (("debit_account_id", "id"), ("credit_account_id", "id"), ("posting_id",))
        constraints = [
            CheckConstraint(check="amount > 0", name="ledger_transfer_amount_positive"),
            CheckConstraint(
                check="debit_account_id <> credit_account_id", name="ledger_transfer_two_accounts"
            ),
        ]
