"""The forest's part of `verify` (installed by core.setup()).

- every plot: issued net of cancelled <= its long-term average (the cap);
- what a plot says it issued equals its approved requests, and their batches;
- what losses cancelled equals the cancellation postings, and the plot's
  cancelled and shortfall are its losses' sums.
"""

from __future__ import annotations

from collections import defaultdict

from core.ledger import Report
from core.reforestation.models import IssuanceRequest, Loss, Plot, RequestStatus
from core.registry.models import Batch


async def check_forest(report: Report) -> None:
    issued: dict[int, int] = defaultdict(int)
    batches = {b.id: b.amount_kg for b in await Batch.filter(key__startswith="forest:request:")}
    for r in await IssuanceRequest.filter(status=RequestStatus.ISSUED):
        issued[r.plot_id] += r.issued_kg
        if batches.get(r.batch_id) != r.issued_kg:
            report.problems.append(f"issuance request {r.id}: {r.issued_kg} kg but batch {r.batch_id} has {batches.get(r.batch_id)}")
    cancelled: dict[int, int] = defaultdict(int)
    shortfall: dict[int, int] = defaultdict(int)
    for loss in await Loss.all():
        cancelled[loss.plot_id] += loss.cancelled_kg
        shortfall[loss.plot_id] += loss.shortfall_kg
    plots = await Plot.all()
    for plot in plots:
        if plot.issued_kg - plot.cancelled_kg > plot.lta_kg:
            report.problems.append(
                f"plot {plot.id}: {plot.issued_kg - plot.cancelled_kg} kg issued, above its long-term average {plot.lta_kg} kg")
        if issued[plot.id] != plot.issued_kg:
            report.problems.append(f"plot {plot.id}: says {plot.issued_kg} kg issued, requests issued {issued[plot.id]} kg")
        if (cancelled[plot.id], shortfall[plot.id]) != (plot.cancelled_kg, plot.shortfall_kg):
            report.problems.append(f"plot {plot.id}: cancelled/shortfall disagree with its losses")
    report.counts.update(forest_plots=len(plots))
    if any(shortfall.values()):
        report.notes.append(f"forest shortfall (losses beyond the buffer): {sum(shortfall.values())} kg")
