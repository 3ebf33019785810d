"""`cccp forest ...` and `cccp simulate`: reforestation plots from the command line.

    cccp forest plots [--json]
    cccp forest species
    cccp forest add-plot --project CODE --name NAME --location TEXT --area-ha 2.5 --species eucalyptus_grandis \
        --trees 2800 [--planted 2026-03-01] [--rotation YEARS]
    cccp forest measure PLOT VOLUME_M3_HA TREES_ALIVE
    cccp forest harvest PLOT | replant PLOT [--trees N]
    cccp forest loss PLOT CAUSE PERCENT            (fire, storm, pest, drought, other)
    cccp forest request PLOT                        (an issuance of the growth since the last one)
    cccp forest requests | approve REQUEST          (the operator approves until the staff tools exist)
    cccp forest tick                                (what is due now: plant orders, milestones, reminders)
    cccp simulate --plot ID --years 60 [--out chart.png] [--json]

Producer actions here act for the plot's producer (an operator at the console).
`simulate` copies the plot (species, area, trees, rotation, buffer share) into a
throw-away SQLite database in a temporary directory, runs its lifecycle on
simulated time (harvest, replant, yearly issuance approved at once) and never
touches the live books; it writes a chart and prints a table, or JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core import db, reforestation
from core.clock import utcnow
from core.errors import DomainError
from core.settings import load_settings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("forest", help="reforestation plots: list, add, measure, harvest, replant, losses")
    commands = parser.add_subparsers(dest="forest_command", required=True, metavar="ACTION")
    plots = commands.add_parser("plots", help="list plots")
    plots.add_argument("--json", action="store_true")
    plots.set_defaults(func=_run(list_plots))
    commands.add_parser("species", help="the species table and its sources").set_defaults(func=list_species)
    add = commands.add_parser("add-plot", help="register a planted plot of a reforestation project")
    add.add_argument("--project", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--location", required=True)
    add.add_argument("--area-ha", required=True, type=float)
    add.add_argument("--species", required=True)
    add.add_argument("--trees", required=True, type=int)
    add.add_argument("--planted", help="YYYY-MM-DD (default today)")
    add.add_argument("--rotation", type=int, help="years (default: where the species' MAI peaks)")
    add.set_defaults(func=_run(add_plot))
    measure = commands.add_parser("measure", help="record a measurement")
    measure.add_argument("plot")
    measure.add_argument("volume", help="stem volume, m³ per hectare")
    measure.add_argument("trees_alive", type=int)
    measure.set_defaults(func=_run(record_measurement))
    for name in ("harvest", "replant", "request"):
        action = commands.add_parser(name, help=f"{name} a plot")
        action.add_argument("plot")
        if name == "replant":
            action.add_argument("--trees", type=int)
        action.set_defaults(func=_run(plot_action), action=name)
    loss = commands.add_parser("loss", help="record a loss (fire, storm, pest, drought, other)")
    loss.add_argument("plot")
    loss.add_argument("cause", choices=reforestation.LOSS_CAUSES)
    loss.add_argument("percent", type=int)
    loss.set_defaults(func=_run(record_loss))
    commands.add_parser("requests", help="issuance requests waiting for approval").set_defaults(func=_run(requests))
    approve = commands.add_parser("approve", help="approve an issuance request")
    approve.add_argument("request")
    approve.set_defaults(func=_run(approve_request))
    commands.add_parser("tick", help="do what is due now").set_defaults(func=_run(tick))

    simulate = subparsers.add_parser("simulate", help="run a plot's lifecycle on simulated time (never the live books)")
    simulate.add_argument("--plot", required=True)
    simulate.add_argument("--years", type=int, default=60)
    simulate.add_argument("--out", help="write the chart (PNG) here")
    simulate.add_argument("--json", action="store_true")
    simulate.set_defaults(func=run_simulation)


def _run(command):
    def run(args: argparse.Namespace) -> int:
        async def main() -> int:
            await db.open_migrated_db(load_settings().database_url)
            try:
                return await command(args)
            finally:
                await db.close_db()

        try:
            return asyncio.run(main())
        except DomainError as error:
            print(f"error: {error.code} {error.params}", file=sys.stderr)
            return 1

    return run


def plot_row(p: reforestation.PlotView) -> dict:
    return {
        "id": p.id, "project": p.project_code, "name": p.name, "location": p.location, "species": p.species,
        "area_m2": p.area_m2, "rotation_years": p.rotation_years, "rotation": p.rotation, "status": p.status,
        "planted_at": p.planted_at.isoformat(), "trees_planted": p.trees_planted, "trees_alive": p.trees_alive,
        "stock_kg": p.stock_kg, "long_term_average_kg": p.lta_kg, "issued_kg": p.issued_kg,
        "cancelled_kg": p.cancelled_kg, "shortfall_kg": p.shortfall_kg,
    }


async def list_plots(args) -> int:
    plots = await reforestation.list_plots()
    if args.json:
        print(json.dumps([plot_row(p) for p in plots], indent=2, ensure_ascii=False))
        return 0
    if not plots:
        print("no plots")
    for p in plots:
        print(f"{p.id:>4}  {p.project_code:<8} {p.name} ({p.location}) {p.species} {p.area_m2 / 10_000:.2f} ha"
              f"  rotation {p.rotation} of {p.rotation_years} y, {p.status}, age {p.age_years:.1f} y,"
              f"  {p.trees_alive}/{p.trees_planted} trees, stock {p.stock_kg:,} kg,"
              f" issued {p.issued_kg:,} of at most {p.lta_kg:,} kg")
    return 0


def list_species(args) -> int:
    for s in reforestation.all_species().values():
        print(f"{s.code:<20} {s.climate:<12} rotation {s.rotation_years:>3} y  {s.co2_t_per_m3:.3f} t CO2/m³  {s.name}")
        for name, c in s.citations.items():
            state = ("not checked" if not c.checked else "checked in a transcription" if c.transcription
                     else "checked")
            print(f"    {name}: {c.publisher}, {c.table}, p. {c.page} ({state})")
            if c.checked and c.read_in:
                print(f"        read in {c.read_in}")
    return 0


def _day(text: str | None) -> datetime:
    if not text:
        return utcnow()
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


async def add_plot(args) -> int:
    plot = await reforestation.register_plot(
        project_id=args.project, name=args.name, location=args.location, area_m2=round(args.area_ha * 10_000),
        species=args.species, trees_planted=args.trees, planted_at=_day(args.planted), rotation_years=args.rotation,
    )
    print(f"plot {plot.id}: {plot.species}, rotation {plot.rotation_years} years, long-term average {plot.lta_kg:,} kg")
    return 0


async def record_measurement(args) -> int:
    now = utcnow()
    plot = await reforestation.record_measurement(
        args.plot, by_user_id=None, volume_dm3_ha=reforestation.parse_volume(args.volume),
        trees_alive=args.trees_alive, key=f"cli:{args.plot}:{now.isoformat()}", now=now)
    print(f"plot {plot.id}: stock {plot.stock_kg:,} kg, {plot.trees_alive} trees alive")
    return 0


async def plot_action(args) -> int:
    if args.action == "harvest":
        plot = await reforestation.harvest(args.plot, by_user_id=None)
        print(f"plot {plot.id} harvested (rotation {plot.rotation})")
    elif args.action == "replant":
        plot = await reforestation.replant(args.plot, by_user_id=None, trees=args.trees)
        print(f"plot {plot.id} replanted: rotation {plot.rotation}, {plot.trees_planted} trees")
    else:
        request = await reforestation.request_issuance(args.plot, by_user_id=None)
        print(f"request {request.id}: {request.amount_kg:,} kg for plot {request.plot_id}")
    return 0


async def record_loss(args) -> int:
    now = utcnow()
    loss = await reforestation.record_loss(args.plot, by_user_id=None, cause=args.cause, percent=args.percent,
                                           key=f"cli:{args.plot}:{now.isoformat()}", now=now)
    print(f"lost {loss.lost_kg:,} kg; reversed {loss.reversal_kg:,} kg: cancelled {loss.cancelled_kg:,} kg"
          f" from the buffer, shortfall {loss.shortfall_kg:,} kg")
    return 0


async def requests(args) -> int:
    for r in await reforestation.pending_requests():
        print(f"{r.id:>4}  plot {r.plot_id}  {r.amount_kg:,} kg  requested {r.requested_at:%Y-%m-%d}")
    return 0


async def approve_request(args) -> int:
    r = await reforestation.approve_issuance(args.request)
    print(f"request {r.id}: {r.status}, {r.issued_kg:,} kg" + (f" ({r.batch_serial})" if r.batch_serial else ""))
    return 0


async def tick(args) -> int:
    print(await reforestation.tick(utcnow()))
    return 0


# ---- simulate -------------------------------------------------------------------------

async def _plot_spec(plot_id: str) -> dict:
    from core.registry.models import Project

    view = await reforestation.get_plot(plot_id)
    project = await Project.get(id=view.project_id)
    return {"project": {"code": project.code, "name": project.name, "methodology": project.methodology,
                        "country": project.country, "buffer_percent": project.buffer_percent},
            "plot": {"name": view.name, "location": view.location, "area_m2": view.area_m2, "species": view.species,
                     "trees": view.trees_planted, "rotation_years": view.rotation_years}}


async def simulate(spec: dict, years: int, *, start: datetime) -> dict:
    """Run the copied plot for `years` on simulated time in the open (throw-away) database."""
    from core import ledger, registry, users
    from core.ledger import CARBON, Role
    from core.reforestation import chart as charts
    from core.reforestation.models import Plot

    producer = 1
    await users.sign_up(producer, "Simulated producer", "en", ["producer"], now=start)
    p = spec["project"]
    project = await registry.create_project(name=p["name"], methodology=p["methodology"], country=p["country"],
                                            producer_id=producer, code="SIM", buffer_percent=p["buffer_percent"],
                                            approve=True, now=start)
    q = spec["plot"]
    plot = await reforestation.register_plot(project_id=project.id, name=q["name"], location=q["location"],
                                             area_m2=q["area_m2"], species=q["species"], trees_planted=q["trees"],
                                             planted_at=start, rotation_years=q["rotation_years"], now=start)
    buffer = await ledger.open_account(ledger.project_owner(project.id), Role.BUFFER, CARBON)
    stock, issued, buffered = [], [], []
    now, step = start, timedelta(days=30)
    end = start + timedelta(days=round(years * 365.25))
    while now < end:
        now = min(now + step, end)
        await reforestation.tick(now, act_for_producers=True)
        view = await reforestation.get_plot(plot.id, now=now)
        t = (now - start).days / 365.25
        stock.append((t, view.stock_kg / 1000))
        issued.append((t, view.net_issued_kg / 1000))
        buffered.append((t, (await ledger.get_account(buffer.id)).balance / 1000))
    view = await reforestation.get_plot(plot.id, now=now)
    row = await Plot.get(id=plot.id)
    _, harvests = await charts.stand_history(row, start, now)
    return {
        "plot": q, "years": years, "rotations": len(harvests), "issued_kg": view.issued_kg,
        "buffer_kg": (await ledger.get_account(buffer.id)).balance, "cancelled_kg": view.cancelled_kg,
        "long_term_average_kg": view.lta_kg, "harvest_years": [round(h, 2) for h in harvests],
        "series": {"stock": stock, "issued": issued, "buffer": buffered},
    }


def simulation_chart(result: dict) -> bytes:
    from core.reforestation import chart as charts

    s = result["series"]
    lta = result["long_term_average_kg"] / 1000
    q = result["plot"]
    return charts.render(charts.Chart(
        title=f"{q['name']}: {q['species']}, {q['area_m2'] / 10_000:g} ha, rotation {q['rotation_years']} years",
        x_label="years", y_label="t CO2",
        series=[charts.Series("carbon stock (estimate)", s["stock"]),
                charts.Series("issued (net, buffer included)", s["issued"]),
                charts.Series("buffer pool", s["buffer"]),
                charts.Series("long-term average (cap)", [(0, lta), (result["years"], lta)], "--")],
        harvests=result["harvest_years"], harvest_label="harvest and replanting",
    ))


def run_simulation(args: argparse.Namespace) -> int:
    async def main() -> dict:
        await db.open_migrated_db(load_settings().database_url)
        try:
            spec = await _plot_spec(args.plot)
        finally:
            await db.close_db()
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite://{Path(scratch) / 'simulation.sqlite3'}"
            await db.upgrade(url)
            await db.open_db(url)
            try:
                return await simulate(spec, args.years, start=datetime(2000, 1, 1, tzinfo=UTC))
            finally:
                await db.close_db()

    try:
        result = asyncio.run(main())
    except DomainError as error:
        print(f"error: {error.code} {error.params}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_bytes(simulation_chart(result))
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k not in ("series", "plot", "harvest_years")}))
        return 0
    print(f"{'year':>5} {'stock t':>10} {'issued t':>10} {'buffer t':>10}")
    for i in range(11, len(result["series"]["stock"]), 12):
        (t, stock), (_, issued), (_, buffer) = (result["series"][k][i] for k in ("stock", "issued", "buffer"))
        print(f"{t:5.0f} {stock:10.1f} {issued:10.1f} {buffer:10.1f}")
    print(f"rotations {result['rotations']}, issued {result['issued_kg']:,} kg, buffer {result['buffer_kg']:,} kg,"
          f" long-term average {result['long_term_average_kg']:,} kg")
    return 0
