"""Typed drafts: what a flow has chosen so far, a dataclass in the handlers, plain data in
persistence (user_data is stored as JSON, bot/persistence.py).

    draft = drafts.load(context, "buy", BuyDraft)   # None when there is none (or it is unreadable)
    draft.amount_kg = 500
    drafts.save(context, "buy", draft)              # stored as asdict(draft)

A draft is read afresh from user_data at every step and written back after each change,
so what persistence holds is always what the flow goes on from. Keys a stored draft has
that the dataclass does not know (an older version's) are dropped; a draft that does not
fit at all reads as none, and the flow starts over instead of raising.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

D = TypeVar("D")


def load(context: Any, key: str, cls: type[D]) -> D | None:
    data = context.user_data.get(key)
    if not isinstance(data, dict):
        return None
    known = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{name: value for name, value in data.items() if name in known})
    except (TypeError, ValueError):
        return None


def save(context: Any, key: str, draft: object) -> None:
    context.user_data[key] = dataclasses.asdict(draft)


def drop(context: Any, key: str) -> None:
    context.user_data.pop(key, None)
