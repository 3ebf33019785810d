"""Messages that are not the direct reply to an update (models.py)."""

from core.outbox.models import OutboxMessage, OutboxPace, OutboxState, Topic
from core.outbox.service import (
    CLAIM_TIMEOUT,
    OutboxCounts,
    claim,
    claim_turns,
    counts,
    enqueue,
    last_sent_at,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_skipped,
    pause,
    recover_stuck,
    release_turn,
    skip_chat,
    take_slot,
)

__all__ = [
    "CLAIM_TIMEOUT", "OutboxPace", "claim_turns", "last_sent_at", "mark_skipped", "pause", "release_turn",
    "skip_chat", "take_slot",
    "OutboxCounts", "OutboxMessage", "OutboxState", "claim", "counts", "enqueue", "mark_failed",
    "mark_retry", "mark_sent", "recover_stuck", "Topic",
]
