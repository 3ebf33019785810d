"""The durable inbox of Telegram updates and the leases of single-worker jobs (models.py)."""

from core.inbox.models import InboxState, InboxUpdate, Lease
from core.inbox.service import (
    MAX_ATTEMPTS,
    InboxCounts,
    counts,
    mark_done,
    next_pending,
    prune,
    release_lease,
    start_attempts,
    store,
    take_lease,
)

__all__ = [
    "MAX_ATTEMPTS",
    "InboxCounts", "InboxState", "InboxUpdate", "Lease", "counts", "mark_done", "next_pending",
    "prune", "release_lease", "start_attempts", "store", "take_lease",
]
