"""What is due, on the one clock: `tick(now)` runs on the job queue in production
and on simulated time in tests, the sandbox and `cccp simulate`.

- a plot planted a year ago is growing;
- new reduction orders become trees, waiting ones are planted where there is room;
- buyers hear when their trees pass a milestone (outbox, topic trees);
- issuance is due once a year: the producer is reminded to request it
  (or, with `act_for_producers`, it is requested and approved — simulation only);
- a harvest is due at the end of the rotation: the producer is reminded
  (or, acting for them, the plot is harvested and replanted with as many trees).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import outbox
from core.reforestation import planting, service
from core.reforestation.errors import NothingToIssue
from core.reforestation.models import Plot, PlotStatus
from core.registry.models import Project

ISSUANCE_EVERY = timedelta(days=365)
REMIND_EVERY = timedelta(days=30)


@dataclass
class TickReport:
    planted_orders: int = 0
    milestones: int = 0
    issued_kg: int = 0
    harvests: int = 0
    replantings: int = 0
    reminders: int = 0
    notes: list[str] = field(default_factory=list)


async def _remind(plot: Plot, what: str, now: datetime, report: TickReport) -> None:
    if plot.reminded_at is not None and now - plot.reminded_at < REMIND_EVERY:
        return
    project = await Project.get(id=plot.project_id)
    await outbox.enqueue(project.producer_id, "forest_reminder", {"plot_id": plot.id, "plot": plot.name, "what": what},
                         dedup_key=f"forest:remind:{plot.id}:{what}:{now.date().isoformat()}", now=now)
    await Plot.filter(id=plot.id).update(reminded_at=now)
    report.reminders += 1


async def tick(now: datetime, *, act_for_producers: bool = False) -> TickReport:
    report = TickReport()
    for plot in await Plot.all().order_by("id"):
        if plot.status == PlotStatus.PLANTED and service.age_years(plot, now) >= 1:
            await Plot.filter(id=plot.id, status=PlotStatus.PLANTED).update(status=PlotStatus.GROWING)
            plot.status = PlotStatus.GROWING
        if plot.status in (PlotStatus.PLANTED, PlotStatus.GROWING):
            last = plot.last_issued_at or plot.planted_at
            if now - last >= ISSUANCE_EVERY and service.issuable_kg(plot, now) > 0:
                if act_for_producers:
                    try:
                        request = await service.request_issuance(plot.id, by_user_id=None, now=now)
                        report.issued_kg += (await service.approve_issuance(request.id, now=now)).issued_kg
                    except NothingToIssue:
                        pass
                else:
                    await _remind(plot, "issuance", now, report)
            if now >= service.harvest_due_at(plot):
                if act_for_producers:
                    await service.harvest(plot.id, by_user_id=None, now=now)
                    await service.replant(plot.id, by_user_id=None, now=now)
                    report.harvests += 1
                    report.replantings += 1
                else:
                    await _remind(plot, "harvest", now, report)
        elif plot.status in (PlotStatus.HARVESTED, PlotStatus.LOST):
            if act_for_producers:
                await service.replant(plot.id, by_user_id=None, now=now)
                report.replantings += 1
            else:
                await _remind(plot, "replant", now, report)
    report.planted_orders = await planting.plant_orders(now=now)
    report.milestones = await planting.announce_milestones(now)
    return report
