"""Messages that are not the direct reply to an update (models.py)."""

from core.outbox.models import OutboxMessage, OutboxState, Topic
from core.outbox.service import (
    OutboxCounts,
    claim,
    counts,
    enqueue,
    mark_failed,
    mark_retry,
    mark_sent,
    recover_stuck,
)

__all__ = [
    "OutboxCounts", "OutboxMessage", "OutboxState", "claim", "counts", "enqueue", "mark_failed",
    "mark_retry", "mark_sent", "recover_stuck", "Topic",
]
