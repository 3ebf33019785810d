"""What the stand-in publishes to observers: every bot action and every queued update."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of event. The first group are the bot's actions; the last are the people's.
MESSAGE_SENT = "message_sent"
MESSAGE_EDITED = "message_edited"
MESSAGE_DELETED = "message_deleted"
CALLBACK_ANSWERED = "callback_answered"
INVOICE_SENT = "invoice_sent"
PRE_CHECKOUT_ANSWERED = "pre_checkout_answered"
REFUND = "refund"
CHAT_ACTION = "chat_action"
RATE_LIMITED = "rate_limited"
UPDATE_QUEUED = "update_queued"

PEOPLE_KINDS = frozenset({UPDATE_QUEUED})


@dataclass(frozen=True)
class BotEvent:
    """One thing that happened in a chat; `data` is JSON-ready (a Message snapshot, an answer)."""

    kind: str
    chat_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    message: Any = None  # the live state.Message, when the event is about one

    @property
    def is_bot_action(self) -> bool:
        return self.kind not in PEOPLE_KINDS

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "chat_id": self.chat_id, "data": self.data}
