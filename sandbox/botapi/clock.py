"""Clocks the stand-in reads: rate limits and query expiry run on an injected clock."""

from __future__ import annotations


class ManualClock:
    """A monotonic clock that only moves when told to; tests advance it instead of sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go back")
        self._now += seconds
