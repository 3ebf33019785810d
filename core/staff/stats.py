"""Statistics for admins: users, credits issued, retired and traded, volume, over
the last 24 hours, 30 days and all time, and a chart of the last 30 days.

The chart is drawn with matplotlib's Agg backend in a worker thread, never on
the event loop.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.functions import Sum

from core.clock import utcnow
from core.ledger.models import Transfer
from core.purchases.models import Payment, PaymentOutcome
from core.registry.models import Retirement
from core.users.models import User

DAYS = 30


@dataclass(frozen=True)
class Window:
    users: int
    issued_kg: int
    retired_kg: int
    traded_kg: int
    volume_xtr: int


@dataclass(frozen=True)
class Stats:
    day: Window
    month: Window
    total: Window
    daily: tuple[tuple[str, int, int], ...]  # (date, purchases volume XTR, retired kg), oldest first


async def _sum(query, field: str) -> int:
    rows = await query.annotate(total=Sum(field)).values_list("total", flat=True)
    return int(rows[0] or 0) if rows else 0


async def _window(since: datetime | None) -> Window:
    def at(query, name="created_at"):
        return query.filter(**{f"{name}__gte": since}) if since else query

    issued = await _sum(at(Transfer.filter(posting__kind="issuance", asset="carbon")), "amount")
    traded = await _sum(at(Transfer.filter(posting__kind__in=("purchase", "post_hold"), asset="carbon")), "amount")
    return Window(
        users=await at(User.all()).count(),
        issued_kg=issued,
        retired_kg=await _sum(at(Retirement.all()), "amount_kg"),
        traded_kg=traded,
        volume_xtr=await _sum(at(Payment.filter(outcome=PaymentOutcome.COMPLETED, currency="XTR")), "total_amount"),
    )


async def collect(*, now: datetime | None = None) -> Stats:
    now = now or utcnow()
    start = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    volume: dict[str, int] = {}
    for created_at, total in await Payment.filter(
        outcome=PaymentOutcome.COMPLETED, currency="XTR", created_at__gte=start
    ).values_list("created_at", "total_amount"):
        volume[created_at.date().isoformat()] = volume.get(created_at.date().isoformat(), 0) + total
    retired: dict[str, int] = {}
    for created_at, kg in await Retirement.filter(created_at__gte=start).values_list("created_at", "amount_kg"):
        retired[created_at.date().isoformat()] = retired.get(created_at.date().isoformat(), 0) + kg
    days = [(start + timedelta(days=i)).date().isoformat() for i in range(DAYS)]
    return Stats(
        day=await _window(now - timedelta(hours=24)),
        month=await _window(now - timedelta(days=DAYS)),
        total=await _window(None),
        daily=tuple((d, volume.get(d, 0), retired.get(d, 0)) for d in days),
    )


def _draw(stats: Stats, title: str, volume_label: str, retired_label: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), dpi=100)
    axis = figure.add_subplot(1, 1, 1)
    labels = [d[5:] for d, _, _ in stats.daily]
    axis.bar(labels, [v for _, v, _ in stats.daily], color="#2e7d32", label=volume_label)
    axis.set_ylabel(volume_label)
    other = axis.twinx()
    other.plot(labels, [r / 1000 for _, _, r in stats.daily], color="#1565c0", marker="o", label=retired_label)
    other.set_ylabel(retired_label)
    # Counts start at zero (an empty month is a flat line at the bottom, not around it).
    axis.set_ylim(bottom=0, top=max(1, *(v for _, v, _ in stats.daily)) * 1.15)
    other.set_ylim(bottom=0, top=max(1, *(r / 1000 for _, _, r in stats.daily)) * 1.15)
    from matplotlib.ticker import MaxNLocator

    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_title(title)
    axis.tick_params(axis="x", labelrotation=60, labelsize=7)
    handles = axis.get_legend_handles_labels()[0] + other.get_legend_handles_labels()[0]
    axis.legend(handles, [volume_label, retired_label], loc="upper left", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def chart_png(stats: Stats, *, title: str, volume_label: str, retired_label: str) -> bytes:
    """The last 30 days as a PNG (bars: Stars volume; line: tonnes retired)."""
    return await asyncio.to_thread(_draw, stats, title, volume_label, retired_label)
