"""The outbox: every message that is not the direct reply to an update.

A row is written in the same database transaction as the event that causes it
(a payment booked, a refund made), so a rolled-back event leaves no message and
a committed one never loses its message. A sender drains the rows:

    pending --claimed--> sending --Telegram accepted--> sent
       |                    `--error--> pending (retry later) ... --> failed
       `--topic muted / recipient blocked the bot--> skipped (last_error says which)

The text is rendered when it is sent, in the recipient's language then, from the
row's kind and params. `dedup_key` makes the same event twice one row. A row left
`sending` by a crash goes back to pending after CLAIM_TIMEOUT: at most that one
message may be sent twice.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # never sent, on purpose: the topic is muted or the person blocked the bot


class Topic(StrEnum):
    """What a notification is about; people mute topics in /settings (None: never muted)."""

    FILLS = "fills"  # an offer of mine filled, expired or was cancelled
    ALERTS = "alerts"  # an offer matching one of my alerts was posted
    TREES = "trees"  # my trees' milestones
    NEWS = "news"  # staff broadcasts


class OutboxMessage(models.Model):
    id = fields.BigIntField(primary_key=True)
    chat_id = fields.BigIntField()
    kind = fields.CharField(max_length=32)  # what to render: a text key of the sender
    params = fields.JSONField(default=dict)
    topic = fields.CharEnumField(Topic, max_length=8, null=True)  # None: a receipt, a reply: always sent
    dedup_key = fields.CharField(max_length=200, unique=True)
    state = fields.CharEnumField(OutboxState, max_length=8, default=OutboxState.PENDING)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    claimed_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("state", "due_at"), ("chat_id", "state"))


class OutboxPace(models.Model):
    """Pacing shared by every sender process: one row per chat, and row 0 for the bot as a whole.

    A chat's `next_at` is when it may get its next message; a sender takes the chat's
    turn by setting `busy_until` (a lease) with a conditional UPDATE (so two senders
    never write to one chat at once), and on Telegram's answer clears it and sets
    `next_at` to "sent + interval". `paused_until` is a 429's retry_after. Row 0: `next_at` is the next
    free slot of the overall rate (taken with a compare-and-set on `version`),
    `paused_until` a pause for everyone, `rate_limited` the 429s seen (all processes).
    """

    chat_id = fields.BigIntField(primary_key=True, generated=False)
    next_at = fields.DatetimeField()  # spacing: the chat's (row 0: everyone's) next message not before
    busy_until = fields.DatetimeField(null=True)  # a sender holds the chat's turn (a lease: a crash ends it)
    paused_until = fields.DatetimeField(null=True)
    last_sent_at = fields.DatetimeField(null=True)  # row 0: when the last 429 came
    last_limited_chat = fields.BigIntField(null=True)  # row 0: which chat that 429 was for
    version = fields.BigIntField(default=0)
    rate_limited = fields.BigIntField(default=0)

    class Meta:
        table = "outbox_pace"
