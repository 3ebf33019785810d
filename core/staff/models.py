"""Staff data: admins mirrored from ADMIN_IDS, the audit log, freezes, staff refunds,
support tickets with their relayed messages, and broadcasts.

Support is the users' STAFF role bit (core/users); admins are the ids in ADMIN_IDS,
mirrored into `staff_admin` at every start so that every command checks the
database, never a list in memory. The audit log is append-only: triggers refuse
UPDATE and DELETE on both engines (installed by the `staff` migration).
A ticket maps to the support group by numeric ids only (chat, topic, message); a user
has at most one open ticket, which a UNIQUE column makes the database's rule.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class TicketState(StrEnum):
    OPEN = "open"  # the user wrote last
    ANSWERED = "answered"  # staff replied last
    CLOSED = "closed"


class BroadcastState(StrEnum):
    DRAFT = "draft"  # previewed, not confirmed
    SENDING = "sending"  # one outbox row per recipient written
    DONE = "done"
    CANCELLED = "cancelled"


class StaffAdmin(models.Model):
    user_id = fields.BigIntField(primary_key=True, generated=False)
    since = fields.DatetimeField()

    class Meta:
        table = "staff_admin"


class AuditEntry(models.Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    actor_id = fields.BigIntField(null=True, db_index=True)  # None: the system (ADMIN_IDS at start)
    action = fields.CharField(max_length=32)
    target_user_id = fields.BigIntField(null=True, db_index=True)
    target = fields.CharField(max_length=200, default="")  # an order, a charge, a ticket...
    reason = fields.CharField(max_length=500, default="")
    before = fields.JSONField(default=dict)
    after = fields.JSONField(default=dict)
    posting_keys = fields.JSONField(default=list)
    is_refused = fields.BooleanField(default=False)  # an attempt the role check refused

    class Meta:
        table = "staff_audit"


class Freeze(models.Model):
    user_id = fields.BigIntField(primary_key=True, generated=False)
    reason = fields.CharField(max_length=500)
    frozen_by = fields.BigIntField()
    frozen_at = fields.DatetimeField()

    class Meta:
        table = "staff_freeze"


class StaffRefund(models.Model):
    """One per charge: a second press finds it and refunds nothing again."""

    id = fields.BigIntField(primary_key=True)
    charge_id = fields.CharField(max_length=255, unique=True)
    user_id = fields.BigIntField()
    actor_id = fields.BigIntField()
    reason = fields.CharField(max_length=500)
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff_refund"


class Ticket(models.Model):
    """One user's support ticket; a user has at most one that is not closed.

    `open_user_id` is the user's id while the ticket is open or answered and NULL once it
    is closed: UNIQUE, so the database itself holds one open ticket per user (NULLs never
    clash, on SQLite as on PostgreSQL), and a CHECK ties it to the state.
    """

    id = fields.BigIntField(primary_key=True)
    user_id = fields.BigIntField(db_index=True)
    state = fields.CharEnumField(TicketState, max_length=8, default=TicketState.OPEN)
    open_user_id = fields.BigIntField(null=True, unique=True)
    chat_id = fields.BigIntField(null=True)  # the support group
    thread_id = fields.BigIntField(null=True)  # its forum topic, when the group is a forum
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "staff_ticket"
        indexes = (("state", "updated_at"), ("chat_id", "thread_id"))
        constraints = [
            CheckConstraint(check="(state = 'closed' AND open_user_id IS NULL) OR "
                                  "(state <> 'closed' AND open_user_id IS NOT NULL AND open_user_id = user_id)",
                            name="staff_ticket_one_open_per_user"),
        ]


class TicketMessage(models.Model):
    """A message of a ticket as it stands in the support group (to find the ticket of a reply)."""

    id = fields.BigIntField(primary_key=True)
    ticket = fields.ForeignKeyField("models.Ticket", related_name="messages", on_delete=fields.RESTRICT)
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField()
    is_from_user = fields.BooleanField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff_ticket_message"
        unique_together = (("chat_id", "message_id"),)


class Broadcast(models.Model):
    id = fields.BigIntField(primary_key=True)
    actor_id = fields.BigIntField()
    segment = fields.CharField(max_length=32)  # all | role:<role> | lang:<code>
    text = fields.CharField(max_length=4096)
    state = fields.CharEnumField(BroadcastState, max_length=10, default=BroadcastState.DRAFT)
    recipients = fields.IntField(default=0)
    progress_chat_id = fields.BigIntField(null=True)
    progress_message_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff_broadcast"
        constraints = [CheckConstraint(check="recipients >= 0", name="staff_broadcast_recipients")]
