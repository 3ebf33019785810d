"""One request type for every activity, and `compute` that dispatches it.

A FootprintRequest is what the parser (or a bot conversation, or the CLI) collects:
the activity name and the keyword arguments of that activity's function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.footprint.electricity import electricity
from core.footprint.errors import UnknownOption
from core.footprint.flights import flight, flight_distance
from core.footprint.food import food
from core.footprint.freight import parcel
from core.footprint.ground import bus, car, rail, taxi
from core.footprint.result import Footprint
from core.footprint.spend import spend
from core.footprint.stays import hotel

ACTIVITIES: dict[str, Callable[..., Footprint]] = {
    "flight": flight,
    "flight_distance": flight_distance,
    "car": car,
    "rail": rail,
    "bus": bus,
    "taxi": taxi,
    "hotel": hotel,
    "electricity": electricity,
    "parcel": parcel,
    "food": food,
    "spend": spend,
}


@dataclass(frozen=True)
class FootprintRequest:
    """An activity and the keyword arguments of its function in ACTIVITIES."""

    activity: str
    params: dict[str, object] = field(default_factory=dict)


def compute(request: FootprintRequest) -> Footprint:
    """The footprint of a request; bad input raises a FootprintError, nothing else."""
    fn = ACTIVITIES.get(request.activity)
    if fn is None:
        raise UnknownOption(f"unknown activity {request.activity!r}", field="activity",
                            value=request.activity, options=list(ACTIVITIES))
    return fn(**request.params)
