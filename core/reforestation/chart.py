"""Growth over time as a PNG (matplotlib, Agg backend): the stand's estimated stock,
and for the simulation what was issued and held in the buffer, with harvests marked.

The series come from the plot's events (plantings and harvests) and the model;
labels come in already translated. Drawing takes a few hundred milliseconds:
front ends call `render` off the event loop (asyncio.to_thread).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.reforestation.models import EventKind, Plot, PlotEvent
from core.reforestation.service import DAYS_PER_YEAR, stock_at_age


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[float, float]]  # (years, tonnes)
    style: str = "-"


@dataclass(frozen=True)
class Chart:
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    harvests: list[float] = field(default_factory=list)  # years
    harvest_label: str = "harvest"


async def stand_history(plot: Plot, since: datetime, until: datetime, *, share: float = 1.0,
                        step_days: int = 30) -> tuple[list[tuple[float, float]], list[float]]:
    """(years since `since`, tonnes CO2 × share) every step, and the harvests' years.

    Past rotations use the planting and harvest dates the plot's events recorded."""
    events = await PlotEvent.filter(plot_id=plot.id, kind__in=[EventKind.PLANTED, EventKind.REPLANTED,
                                                               EventKind.HARVESTED, EventKind.LOSS]).order_by("at", "id")
    plantings = [e.at for e in events if e.kind in (EventKind.PLANTED, EventKind.REPLANTED)]
    ends = [e.at for e in events if e.kind in (EventKind.HARVESTED,)]
    points: list[tuple[float, float]] = []
    moment = since
    while moment <= until:
        planted = max((p for p in plantings if p <= moment), default=None)
        ended = any(planted is not None and planted < h <= moment for h in ends)
        stock = 0.0
        if planted is not None and not ended:
            age = (moment - planted).total_seconds() / 86_400 / DAYS_PER_YEAR
            if planted < plot.planted_at:  # an earlier rotation: the model as planted
                stock = stock_at_age(plot, age, trees=plot.trees_planted, calibration_ppm=1_000_000) / 1000
            else:
                stock = stock_at_age(plot, age) / 1000
        years = (moment - since).total_seconds() / 86_400 / DAYS_PER_YEAR
        points.append((years, stock * share))
        moment += timedelta(days=step_days)
    harvests = [(h - since).total_seconds() / 86_400 / DAYS_PER_YEAR for h in ends if since <= h <= until]
    return points, harvests


def render(chart: Chart) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    colours = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a"]
    for i, series in enumerate(chart.series):
        xs = [x for x, _ in series.points]
        ys = [y for _, y in series.points]
        axes.plot(xs, ys, series.style, color=colours[i % len(colours)], linewidth=2, label=series.label)
        if i == 0:
            axes.fill_between(xs, ys, color=colours[0], alpha=0.12)
    for j, year in enumerate(chart.harvests):
        axes.axvline(year, color="#8d6e63", linestyle=":", linewidth=1.2,
                     label=chart.harvest_label if j == 0 else None)
    axes.set_title(chart.title)
    axes.set_xlabel(chart.x_label)
    axes.set_ylabel(chart.y_label)
    axes.set_ylim(bottom=0)
    axes.set_xlim(left=0)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize="small", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
