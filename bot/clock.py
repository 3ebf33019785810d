"""The bot's one clock: handed in by the composition root, read by every feature.

`build_application(..., clock=utcnow)` keeps it in `bot_data[CLOCK_KEY]`; a handler asks
`now_of(context)`, a job or the outbox `now_of(application)`. Tests hand in (or swap)
a controllable clock there; nothing in bot/ calls `utcnow()` for a decision of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Clock = Callable[[], datetime]
CLOCK_KEY = "clock"


def now_of(holder: Any) -> datetime:
    """Now, by the clock of the application `holder` (a context or the application) runs."""
    return holder.bot_data[CLOCK_KEY]()
