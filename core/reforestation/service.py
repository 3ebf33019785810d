"""Plots through their lifecycle, ex-post issuance from growth, losses, and trees for orders.

The stand model is per hectare: the species' curve (species.py) times the
plot's area, times its stocking (trees alive per hectare over the yield
table's density, at most 1), times the calibration to the producer's last
measurement. Between measurements the estimate is that curve.

Issuance is ex post and capped: what a plot may have issued, net of what
losses cancelled, is min(stock now, long-term average) — the long-term
average (LTA) being the stock averaged over a rotation, which every rotation
repeats. A harvest drops the stock, never the credits: the cap was the
average, not the peak. The project's buffer share (core.registry issuance)
counts inside the cap. A loss cancels buffer credits for what it reversed
(the credited part of the stock lost) into the cancellation account, and
reports what the pool could not cover as the plot's shortfall.

Everything takes `now`; `tick(now)` does what is due (core.reforestation.tick).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from core import ledger, outbox, registry
from core.clock import utcnow
from core.ledger import CARBON, Kind, Leg, Role
from core.outbox import Topic
from core.reforestation.errors import (
    BadMeasurement,
    InvalidPlot,
    NothingToIssue,
    NotTheProducer,
    UnknownIssuanceRequest,
    UnknownPlot,
    WrongPlotState,
)
from core.reforestation.models import (
    EventKind,
    IssuanceRequest,
    Loss,
    Measurement,
    Plot,
    PlotEvent,
    PlotStatus,
    RequestStatus,
    TreeOrder,
    TreeOrderStatus,
)
from core.reforestation.species import Species, get_species
from core.registry.methodologies import ProjectType
from core.registry.models import Project
from core.registry.projects import project_row

DAYS_PER_YEAR = 365.25
M2_PER_HA = 10_000
PPM = 1_000_000
LOSS_CAUSES = ("fire", "storm", "pest", "drought", "other")


@dataclass(frozen=True)
class PlotView:
    id: int
    project_id: int
    project_code: str
    producer_id: int
    name: str
    location: str
    country: str
    area_m2: int
    species: str
    species_name: str
    rotation_years: int
    rotation: int
    planted_at: datetime
    trees_planted: int
    trees_alive: int
    status: str
    lta_kg: int
    issued_kg: int
    cancelled_kg: int
    shortfall_kg: int
    stock_kg: int  # estimated now
    age_years: float
    harvest_due_at: datetime

    @property
    def survival_percent(self) -> int:
        return self.trees_alive * 100 // self.trees_planted

    @property
    def net_issued_kg(self) -> int:
        return self.issued_kg - self.cancelled_kg


def age_years(plot: Plot, now: datetime) -> float:
    return max((now - plot.planted_at).total_seconds() / 86_400 / DAYS_PER_YEAR, 0.0)


def _stocking(species: Species, area_m2: int, trees: int) -> float:
    per_ha = trees * M2_PER_HA / area_m2
    return min(per_ha / species.reference_density, 1.0)


def stock_kg(plot: Plot, now: datetime) -> int:
    """The stand's estimated CO2 stock (whole kg, rounded down) at `now`."""
    if plot.status in (PlotStatus.HARVESTED, PlotStatus.LOST):
        return 0
    return stock_at_age(plot, age_years(plot, now))


def stock_at_age(plot: Plot, age: float, *, trees: int | None = None, calibration_ppm: int | None = None) -> int:
    """The stock at `age` with the plot's trees alive and calibration (or those given)."""
    species = get_species(plot.species)
    trees = plot.trees_alive if trees is None else trees
    calibration_ppm = plot.calibration_ppm if calibration_ppm is None else calibration_ppm
    per_ha = species.co2_kg_ha(age) * _stocking(species, plot.area_m2, trees)
    return math.floor(per_ha * plot.area_m2 / M2_PER_HA * calibration_ppm / PPM)


def _lta_kg(species: Species, area_m2: int, trees: int, rotation_years: int) -> int:
    per_ha = species.long_term_average_kg_ha(rotation_years) * _stocking(species, area_m2, trees)
    return math.floor(per_ha * area_m2 / M2_PER_HA)


def harvest_due_at(plot: Plot) -> datetime:
    from datetime import timedelta

    return plot.planted_at + timedelta(days=plot.rotation_years * DAYS_PER_YEAR)


async def _view(plot: Plot, now: datetime) -> PlotView:
    project = await Project.get(id=plot.project_id)
    species = get_species(plot.species)
    return PlotView(
        id=plot.id, project_id=project.id, project_code=project.code, producer_id=project.producer_id,
        name=plot.name, location=plot.location, country=plot.country, area_m2=plot.area_m2,
        species=plot.species, species_name=species.name, rotation_years=plot.rotation_years,
        rotation=plot.rotation, planted_at=plot.planted_at, trees_planted=plot.trees_planted,
        trees_alive=plot.trees_alive, status=str(plot.status), lta_kg=plot.lta_kg, issued_kg=plot.issued_kg,
        cancelled_kg=plot.cancelled_kg, shortfall_kg=plot.shortfall_kg, stock_kg=stock_kg(plot, now),
        age_years=age_years(plot, now) if plot.status not in (PlotStatus.HARVESTED, PlotStatus.LOST) else 0.0,
        harvest_due_at=harvest_due_at(plot),
    )


async def _plot(plot_id: int | str) -> Plot:
    try:
        plot = await Plot.get_or_none(id=int(plot_id))
    except (TypeError, ValueError):
        plot = None
    if plot is None:
        raise UnknownPlot(plot=str(plot_id)[:20])
    return plot


async def _producers_plot(plot_id: int | str, user_id: int | None) -> Plot:
    plot = await _plot(plot_id)
    if user_id is not None:
        project = await Project.get(id=plot.project_id)
        if project.producer_id != user_id:
            raise NotTheProducer(plot=plot.id)
    return plot


async def get_plot(plot_id: int | str, *, now: datetime | None = None) -> PlotView:
    return await _view(await _plot(plot_id), now or utcnow())


async def list_plots(*, producer_id: int | None = None, now: datetime | None = None) -> list[PlotView]:
    now = now or utcnow()
    query = Plot.all().order_by("id")
    if producer_id is not None:
        query = query.filter(project__producer_id=producer_id)
    return [await _view(p, now) for p in await query]


async def _event(plot: Plot, kind: EventKind, at: datetime, key: str, *, amount_kg: int = 0, **details) -> None:
    await PlotEvent.create(plot_id=plot.id, kind=kind, rotation=plot.rotation, at=at, stock_kg=stock_kg(plot, at),
                           amount_kg=amount_kg, details=details, key=key)


async def register_plot(
    *,
    project_id: int | str,
    name: str,
    location: str,
    area_m2: int,
    species: str,
    trees_planted: int,
    planted_at: datetime,
    rotation_years: int | None = None,
    producer_id: int | None = None,
    now: datetime | None = None,
) -> PlotView:
    """A planted plot of a reforestation project (the planting is recorded with it)."""
    now = now or utcnow()
    chosen = get_species(species)
    project = await project_row(project_id)
    if producer_id is not None and project.producer_id != producer_id:
        raise NotTheProducer(project=project.code)
    if project.project_type != ProjectType.REFORESTATION:
        raise InvalidPlot(field="project", reason="not a reforestation project")
    name, location = " ".join(str(name).split()), " ".join(str(location).split())
    if not 1 <= len(name) <= 120 or not 1 <= len(location) <= 200:
        raise InvalidPlot(field="name or location")
    if not isinstance(area_m2, int) or not 100 <= area_m2 <= 10**10:
        raise InvalidPlot(field="area_m2", value=area_m2)
    if not isinstance(trees_planted, int) or not 1 <= trees_planted <= area_m2:  # at most one a m²
        raise InvalidPlot(field="trees_planted", value=trees_planted)
    rotation_years = rotation_years or chosen.rotation_years
    if not 1 <= rotation_years <= 150:
        raise InvalidPlot(field="rotation_years", value=rotation_years)
    if planted_at > now:
        raise InvalidPlot(field="planted_at", reason="in the future")
    async with in_transaction():
        plot = await Plot.create(
            project_id=project.id, name=name, location=location, country=project.country, area_m2=area_m2,
            species=chosen.code, rotation_years=rotation_years, planted_at=planted_at,
            trees_planted=trees_planted, trees_alive=trees_planted,
            lta_kg=_lta_kg(chosen, area_m2, trees_planted, rotation_years), created_at=now,
        )
        await _event(plot, EventKind.PLANTED, planted_at, f"plot:{plot.id}:planted:1", trees=trees_planted)
    return await _view(plot, now)


def parse_volume(text: object) -> int:
    """m³ per hectare as typed ("212", "212,5", "212.5 m3") -> dm³/ha (an integer)."""
    raw = str(text).strip().lower().replace("m³", "").replace("m3", "").replace("/ha", "").strip()
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise BadMeasurement(field="volume", text=str(text)[:40]) from None
    if not value.is_finite() or value < 0 or value > 5000:
        raise BadMeasurement(field="volume", text=str(text)[:40])
    return int(value * 1000)


async def record_measurement(
    plot_id: int | str, *, by_user_id: int | None, volume_dm3_ha: int, trees_alive: int,
    key: str, now: datetime | None = None,
) -> PlotView:
    """The producer's measurement: the stand's stem volume and the trees still alive.

    The model is calibrated to it (the estimate at this age becomes the measured
    volume) until the next measurement; survival becomes trees_alive / planted."""
    now = now or utcnow()
    plot = await _producers_plot(plot_id, by_user_id)
    if (done := await Measurement.get_or_none(key=key)) is not None:
        return await _view(await _plot(done.plot_id), now)
    if plot.status in (PlotStatus.HARVESTED, PlotStatus.LOST):
        raise WrongPlotState(plot=plot.id, status=str(plot.status), action="measure")
    if not isinstance(trees_alive, int) or not 0 <= trees_alive <= plot.trees_planted:
        raise BadMeasurement(field="trees_alive", value=trees_alive, planted=plot.trees_planted)
    if not isinstance(volume_dm3_ha, int) or volume_dm3_ha < 0:
        raise BadMeasurement(field="volume", value=volume_dm3_ha)
    species = get_species(plot.species)
    age = age_years(plot, now)
    modelled = species.volume_m3_ha(age) * _stocking(species, plot.area_m2, trees_alive)
    calibration = round(volume_dm3_ha / 1000 / modelled * PPM) if modelled > 0 else PPM
    calibration = max(min(calibration, 3 * PPM), 0)  # a typo of ten times is no stand
    async with in_transaction():
        await Measurement.create(plot_id=plot.id, rotation=plot.rotation, measured_at=now, volume_dm3_ha=volume_dm3_ha,
                                 trees_alive=trees_alive, by_user_id=by_user_id or 0, key=key)
        plot.trees_alive, plot.calibration_ppm = trees_alive, calibration
        plot.status = PlotStatus.GROWING
        recomputed = math.floor(_lta_kg(species, plot.area_m2, trees_alive, plot.rotation_years) * calibration / PPM)
        # The cap only comes down (and never below what is already issued).
        plot.lta_kg = max(plot.issued_kg - plot.cancelled_kg, min(plot.lta_kg, recomputed))
        await plot.save()
        await _event(plot, EventKind.MEASURED, now, f"plot:{plot.id}:measured:{key}",
                     volume_dm3_ha=volume_dm3_ha, trees_alive=trees_alive)
    return await _view(plot, now)


async def harvest(plot_id: int | str, *, by_user_id: int | None, now: datetime | None = None) -> PlotView:
    """Harvest at the end of the rotation (not before: the period is predetermined)."""
    now = now or utcnow()
    plot = await _producers_plot(plot_id, by_user_id)
    if plot.status not in (PlotStatus.PLANTED, PlotStatus.GROWING):
        raise WrongPlotState(plot=plot.id, status=str(plot.status), action="harvest")
    if now < harvest_due_at(plot):
        raise WrongPlotState(plot=plot.id, status="not_due", action="harvest", due=harvest_due_at(plot).date().isoformat())
    async with in_transaction():
        harvested = stock_kg(plot, now)
        await _event(plot, EventKind.HARVESTED, now, f"plot:{plot.id}:harvested:{plot.rotation}", amount_kg=harvested)
        plot.status = PlotStatus.HARVESTED
        await plot.save()
        await _announce_to_owners(plot, "trees_harvested", now, rotation=plot.rotation)
    return await _view(plot, now)


async def replant(
    plot_id: int | str, *, by_user_id: int | None, trees: int | None = None, now: datetime | None = None,
) -> PlotView:
    """Plant the next rotation on a harvested (or lost) plot."""
    now = now or utcnow()
    plot = await _producers_plot(plot_id, by_user_id)
    if plot.status not in (PlotStatus.HARVESTED, PlotStatus.LOST):
        raise WrongPlotState(plot=plot.id, status=str(plot.status), action="replant")
    trees = trees or plot.trees_planted
    if not isinstance(trees, int) or not 1 <= trees <= plot.area_m2:
        raise InvalidPlot(field="trees_planted", value=trees)
    async with in_transaction():
        plot.rotation += 1
        plot.planted_at, plot.trees_planted, plot.trees_alive = now, trees, trees
        plot.calibration_ppm, plot.status = PPM, PlotStatus.PLANTED
        await plot.save()
        await _event(plot, EventKind.REPLANTED, now, f"plot:{plot.id}:replanted:{plot.rotation}", trees=trees)
        await _announce_to_owners(plot, "trees_replanted", now, rotation=plot.rotation)
    return await _view(plot, now)


def issuable_kg(plot: Plot, now: datetime) -> int:
    """What growth since the last issuance allows now: min(stock, LTA) less what is net issued."""
    return max(min(stock_kg(plot, now), plot.lta_kg) - (plot.issued_kg - plot.cancelled_kg), 0)


@dataclass(frozen=True)
class RequestView:
    id: int
    plot_id: int
    amount_kg: int
    status: str
    issued_kg: int
    requested_at: datetime
    batch_serial: str | None = None


def _request_view(r: IssuanceRequest, serial: str | None = None) -> RequestView:
    return RequestView(r.id, r.plot_id, r.amount_kg, str(r.status), r.issued_kg, r.requested_at, serial)


async def request_issuance(plot_id: int | str, *, by_user_id: int | None, now: datetime | None = None) -> RequestView:
    """The producer asks for the growth since the last issuance; staff (an operator) approve."""
    now = now or utcnow()
    plot = await _producers_plot(plot_id, by_user_id)
    amount = issuable_kg(plot, now)
    if amount <= 0:
        raise NothingToIssue(plot=plot.id, lta_kg=plot.lta_kg, issued_kg=plot.issued_kg)
    key = f"plot:{plot.id}:request:{now.isoformat()}"
    existing = await IssuanceRequest.get_or_none(key=key)
    if existing is None:
        existing = await IssuanceRequest.create(plot_id=plot.id, amount_kg=amount, requested_at=now, key=key)
    return _request_view(existing)


async def pending_requests() -> list[RequestView]:
    return [_request_view(r) for r in await IssuanceRequest.filter(status=RequestStatus.REQUESTED).order_by("id")]


async def _request(request_id: int | str) -> IssuanceRequest:
    try:
        request = await IssuanceRequest.get_or_none(id=int(request_id))
    except (TypeError, ValueError):
        request = None
    if request is None:
        raise UnknownIssuanceRequest(request=str(request_id)[:20])
    return request


async def approve_issuance(request_id: int | str, *, now: datetime | None = None) -> RequestView:
    """Issue what the request asked, or less when the cap has moved since (never more)."""
    now = now or utcnow()
    request = await _request(request_id)
    if request.status != RequestStatus.REQUESTED:
        return _request_view(request)
    plot = await _plot(request.plot_id)
    amount = min(request.amount_kg, issuable_kg(plot, now))
    async with in_transaction():
        if amount <= 0:
            request.status, request.decided_at = RequestStatus.REFUSED, now
            await request.save()
            return _request_view(request)
        batch = await registry.issue_batch(plot.project_id, now.year, amount, key=f"forest:request:{request.id}", now=now)
        # A conditional update: two approvals racing cannot both pass the cap.
        changed = await Plot.filter(id=plot.id, issued_kg=plot.issued_kg).update(
            issued_kg=plot.issued_kg + amount, last_issued_at=now)
        if not changed:
            raise WrongPlotState(plot=plot.id, status="changed", action="issue")
        plot.issued_kg += amount
        request.status, request.decided_at = RequestStatus.ISSUED, now
        request.issued_kg, request.batch_id = amount, batch.id
        await request.save()
        await _event(plot, EventKind.ISSUED, now, f"plot:{plot.id}:issued:{request.id}", amount_kg=amount,
                     batch=batch.serial, buffer_kg=batch.buffer_kg)
    return _request_view(request, batch.serial)


async def refuse_issuance(request_id: int | str, *, now: datetime | None = None) -> RequestView:
    """Staff refused the request: nothing is issued; the producer may ask again later."""
    now = now or utcnow()
    request = await _request(request_id)
    await IssuanceRequest.filter(id=request.id, status=RequestStatus.REQUESTED).update(
        status=RequestStatus.REFUSED, decided_at=now)
    return _request_view(await IssuanceRequest.get(id=request.id))


@dataclass(frozen=True)
class LossView:
    plot_id: int
    cause: str
    lost_kg: int
    reversal_kg: int
    cancelled_kg: int
    shortfall_kg: int


async def record_loss(
    plot_id: int | str, *, by_user_id: int | None, cause: str, percent: int, key: str,
    now: datetime | None = None,
) -> LossView:
    """A fire, storm or pest took `percent` of the stand.

    What it reversed — the credited part of the stock lost, at most the plot's
    net issued credits — is cancelled out of the project's buffer pool (the
    cancellation account; never retirement). What the pool cannot cover is
    the shortfall, recorded on the loss and the plot. A total loss leaves the
    plot lost until it is replanted."""
    now = now or utcnow()
    plot = await _producers_plot(plot_id, by_user_id)
    if (done := await Loss.get_or_none(key=key)) is not None:
        return LossView(done.plot_id, done.cause, done.lost_kg, done.reversal_kg, done.cancelled_kg, done.shortfall_kg)
    if cause not in LOSS_CAUSES:
        raise BadMeasurement(field="cause", value=str(cause)[:20], known=", ".join(LOSS_CAUSES))
    if not isinstance(percent, int) or not 1 <= percent <= 100:
        raise BadMeasurement(field="percent", value=percent)
    if plot.status not in (PlotStatus.PLANTED, PlotStatus.GROWING):
        raise WrongPlotState(plot=plot.id, status=str(plot.status), action="loss")
    before = stock_kg(plot, now)
    survivors = plot.trees_alive * (100 - percent) // 100
    net_issued = plot.issued_kg - plot.cancelled_kg
    buffer = await ledger.open_account(ledger.project_owner(plot.project_id), Role.BUFFER, CARBON)
    cancellation = await ledger.system_account(Role.CANCELLATION, CARBON)
    async with in_transaction():
        plot.trees_alive = survivors
        if survivors == 0:
            plot.status = PlotStatus.LOST
        after = stock_kg(plot, now)
        lost = before - after
        # Credits stood on the stock up to min(stock, LTA); what the loss took below that is reversed.
        reversal = max(min(net_issued, lost, net_issued - min(after, plot.lta_kg)), 0)
        available = (await ledger.get_account(buffer.id)).available
        cancelled = min(reversal, available)
        shortfall = reversal - cancelled
        if cancelled:
            await ledger.post(f"forest:loss:{key}", Kind.CANCELLATION, [Leg(buffer.id, cancellation.id, cancelled)],
                              memo=f"{cause} on plot {plot.id}", metadata={"plot_id": plot.id, "cause": cause}, now=now)
        plot.cancelled_kg += cancelled
        plot.shortfall_kg += shortfall
        await plot.save()
        row = await Loss.create(plot_id=plot.id, cause=cause, share_ppm=percent * 10_000, lost_kg=lost,
                                reversal_kg=reversal, cancelled_kg=cancelled, shortfall_kg=shortfall, at=now, key=key)
        await _event(plot, EventKind.LOSS, now, f"plot:{plot.id}:loss:{key}", amount_kg=lost, cause=cause,
                     cancelled_kg=cancelled, shortfall_kg=shortfall)
        await _announce_to_owners(plot, "trees_loss", now, cause=cause, percent=percent, key=key)
    return LossView(row.plot_id, cause, lost, reversal, cancelled, shortfall)


async def _announce_to_owners(plot: Plot, kind: str, now: datetime, **params) -> None:
    """Tell each buyer whose trees stand on the plot (inside the caller's transaction)."""
    orders = await TreeOrder.filter(plot_id=plot.id, status=TreeOrderStatus.PLANTED).order_by("id")
    seen: set[int] = set()
    for order in orders:
        if order.user_id in seen:
            continue
        seen.add(order.user_id)
        tag = params.get("key", params.get("rotation", ""))
        await outbox.enqueue(order.user_id, kind, {"plot": plot.name, "plot_id": plot.id, **params},
                             dedup_key=f"trees:{kind}:{plot.id}:{tag}:{order.user_id}", now=now, topic=Topic.TREES)
