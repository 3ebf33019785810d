"""A user: one person, keyed by their Telegram user id.

The id is the Telegram user id (a 52-bit integer), so the bot needs no lookup
table; core treats it as an opaque number and imports nothing from Telegram.
Roles are a set stored as a bitmask (one bit per UserRole, in the order below,
never renumbered): adding a role is a conditional `roles | bit` update, so two
concurrent additions cannot lose one another. Language stays NULL until the
person chooses one; `terms_accepted_at` is set once, at sign-up.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class UserRole(StrEnum):
    CONSUMER = "consumer"
    TRADER = "trader"
    PRODUCER = "producer"
    MERCHANT = "merchant"
    STAFF = "staff"


# Bit per role; the order is part of the schema.
ROLE_BITS = {role: 1 << i for i, role in enumerate(UserRole)}
ALL_ROLE_BITS = sum(ROLE_BITS.values())


def roles_to_mask(roles) -> int:
    return sum(ROLE_BITS[UserRole(r)] for r in set(roles))


def mask_to_roles(mask: int) -> frozenset[UserRole]:
    return frozenset(role for role, bit in ROLE_BITS.items() if mask & bit)


class User(models.Model):
    id = fields.BigIntField(primary_key=True, generated=False)  # Telegram user id
    first_name = fields.CharField(max_length=128)
    username = fields.CharField(max_length=64, null=True)
    language = fields.CharField(max_length=8, null=True)
    roles = fields.IntField(default=0)
    terms_accepted_at = fields.DatetimeField(null=True)
    has_notifications = fields.BooleanField(default=True)  # off: every topic muted (receipts still go)
    muted_topics = fields.CharField(max_length=64, default="")  # ",fills,news," (core.outbox.Topic values)
    blocked_bot_at = fields.DatetimeField(null=True)  # Telegram said 403: nothing is sent until /start
    created_at = fields.DatetimeField()

    class Meta:
        table = "users_user"
        constraints = [
            CheckConstraint(check=f"roles >= 0 AND roles <= {ALL_ROLE_BITS}", name="users_user_roles_known"),
        ]
