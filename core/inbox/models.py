"""The durable inbox: every Telegram update, stored before it is acknowledged.

    pending --handled--> done
       `--crashed the handler too often--> failed

An update is written here first (the webhook answers 200, the poller advances its
offset, only after the row is committed); one processor, holding the `bot` lease,
hands pending rows to the Application in update_id order and marks each done
after its handlers ran. After a crash every row still pending is handled again:
the handlers are idempotent (payments by charge id, postings by key).

A Lease names the one process that may do some work at a time (poll Telegram,
drain the inbox). It is a row with a holder and an expiry: a process that stops
renewing it loses it, and another takes over.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models


class InboxState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # took the process down MAX_ATTEMPTS times; left for an operator


class InboxUpdate(models.Model):
    update_id = fields.BigIntField(primary_key=True, generated=False)
    body = fields.TextField()  # the update's JSON, as Telegram sent it
    chat_id = fields.BigIntField(null=True)
    state = fields.CharEnumField(InboxState, max_length=8, default=InboxState.PENDING)
    attempts = fields.IntField(default=0)
    received_at = fields.DatetimeField()
    handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_update"
        indexes = (("state", "update_id"), ("state", "handled_at"))


class Lease(models.Model):
    name = fields.CharField(max_length=32, primary_key=True)
    holder = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "process_lease"
