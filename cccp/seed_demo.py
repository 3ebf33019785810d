"""`cccp seed-demo`: demo data so that every flow can be tried in the first minute.

Projects of four methodologies with issued credits, listings priced in Stars and
euros, CCCP products in the catalogue, their producers, and the sandbox's people:
Bob (consumer and trader) and Support (staff) are signed up; Alice is left new so a
newcomer can try signing up as her. Everything goes through the core services
(sign-up, registry, catalogue), never raw inserts, and running it again changes
nothing: projects are found by code, issuance has keys, listings and products are
found by what they sell. `cccp sandbox` runs it on an empty database.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from core import db
from core.settings import load_settings
from sandbox.page import BOB, SUPPORT

DEMO_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoProducer:
    user_id: int  # not a person in the sandbox chat: producers only own projects here
    name: str


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    methodology: str
    country: str
    location: str
    description: str
    producer: DemoProducer
    vintage: int
    # Either kg CO2e issued directly, or a reported quantity of the methodology's gas.
    amount_kg: int | None = None
    gas_quantity: str | None = None
    gas_unit: str = "t"
    price_xtr_per_t: int = 1000
    price_cents_per_t: int = 1500


@dataclass(frozen=True)
class DemoProduct:
    name: str
    description: str
    kg_per_unit: int
    price_xtr: int
    price_cents: int
    project_code: str


FOREST_TRUST = DemoProducer(7_200_001, "Mount Kenya Forest Trust")
HANSA_GAS = DemoProducer(7_200_002, "Hansa Deponiegas GmbH")
PERMIAN = DemoProducer(7_200_003, "Permian Clean Methane LLC")
GRIDCARE = DemoProducer(7_200_004, "GridCare SF6 Services")
PRODUCERS = (FOREST_TRUST, HANSA_GAS, PERMIAN, GRIDCARE)

PROJECTS = (
    DemoProject(
        code="KEREF",
        name="Mount Kenya Reforestation",
        methodology="VM0047",
        country="KE",
        location="Nyeri County, Kenya",
        description="Native trees replanted on 1,800 ha of degraded forest edge with local growers.",
        producer=FOREST_TRUST,
        vintage=2024,
        amount_kg=40_000_000,  # 40,000 t, 20 % of it to the buffer pool
        price_xtr_per_t=1400,
        price_cents_per_t=2200,
    ),
    DemoProject(
        code="DELFG",
        name="Hamburg Landfill Gas Capture",
        methodology="ACM0001",
        country="DE",
        location="Hamburg, Germany",
        description="Landfill gas collected and flared instead of escaping; reported as tonnes of CH4.",
        producer=HANSA_GAS,
        vintage=2025,
        gas_quantity="1200",  # t CH4 (non-fossil, GWP 27.0) = 32,400 t CO2e
        price_xtr_per_t=900,
        price_cents_per_t=1400,
    ),
    DemoProject(
        code="USLDR",
        name="Permian Pipeline Leak Repair",
        methodology="AM0023",
        country="US",
        location="Permian Basin, Texas, USA",
        description="Leaks found with optical gas imaging and repaired along 600 km of gathering lines.",
        producer=PERMIAN,
        vintage=2025,
        gas_quantity="350",  # t CH4 (fossil, GWP 29.8) = 10,430 t CO2e
        price_xtr_per_t=800,
        price_cents_per_t=1200,
    ),
    DemoProject(
        code="FRSF6",
        name="Lyon Grid SF6 Capture",
        methodology="CCCP-SF6",
        country="FR",
        location="Lyon, France",
        description="SF6 recovered from retired switchgear and destroyed instead of vented.",
        producer=GRIDCARE,
        vintage=2025,
        gas_quantity="400",
        gas_unit="kg",  # kg SF6 (GWP 25,200) = 10,080 t CO2e
        price_xtr_per_t=700,
        price_cents_per_t=1000,
    ),
)

PRODUCTS = (
    DemoProduct(
        "Carbon-neutral coffee 1 kg",
        "Roasted coffee whose footprint is offset: carries 10 kg CO2e from Mount Kenya.",
        10, 15, 249, "KEREF",
    ),
    DemoProduct(
        "Organic cotton T-shirt",
        "Carries 7 kg CO2e of landfill gas capture.",
        7, 10, 150, "DELFG",
    ),
    DemoProduct(
        "Train weekend Berlin–Munich",
        "Two seats return; carries 25 kg CO2e of pipeline leak repair.",
        25, 25, 390, "USLDR",
    ),
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "seed-demo", help="add demo projects, credits, listings, products and people (idempotent)"
    )
    parser.add_argument("--database", help="database URL (default DATABASE_URL)")
    parser.set_defaults(func=run_seed_demo)


def run_seed_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    url = args.database or settings.database_url

    async def main() -> str:
        await db.upgrade(url)
        await db.open_db(url)
        try:
            return await seed_demo()
        finally:
            await db.close_db()

    print(f"demo data in {db.describe(url)}: {asyncio.run(main())}")
    return 0


async def is_seeded() -> bool:
    """Whether the demo projects are there already."""
    from core.registry.models import Project

    return await Project.filter(code=PROJECTS[0].code).exists()


# A retirement the public registry and a certificate can show from the first minute.
DEMO_RETIREMENT_KG = 2_500
DEMO_BENEFICIARY = "Café Nyeri GmbH"
DEMO_REASON = "Coffee shipments, first quarter 2026"


async def seed_demo(*, signing_key=None, public_base_url: str = "") -> str:
    """Create what is missing of the demo data; returns a one-line summary.

    With a signing key, the demo retirement also gets its signed certificate.
    """
    from core import users
    from core.catalog import service as catalog
    from core.registry import create_project, get_project, issue_batch, issue_reduction
    from core.registry.errors import UnknownProject

    for producer in PRODUCERS:
        await users.sign_up(producer.user_id, producer.name, "en", ["producer"], now=DEMO_TIME)
    await users.sign_up(BOB.user_id, BOB.first_name, BOB.language_code, ["consumer", "trader"], now=DEMO_TIME)
    await users.sign_up(SUPPORT.user_id, SUPPORT.first_name, SUPPORT.language_code, ["consumer"], now=DEMO_TIME)
    await users.grant_staff(SUPPORT.user_id, granted_by="demo seed")

    listings = {card.project_code: card for card in await catalog.list_listings(include_inactive=True)}
    issued_kg = 0
    for project in PROJECTS:
        try:
            view = await get_project(project.code)
        except UnknownProject:
            view = await create_project(
                code=project.code,
                name=project.name,
                methodology=project.methodology,
                country=project.country,
                location=project.location,
                description=project.description,
                producer_id=project.producer.user_id,
                approve=True,
                now=DEMO_TIME,
            )
        key = f"demo:{project.code}:{project.vintage}"
        if project.gas_quantity is not None:
            batch = await issue_reduction(
                view.code, project.vintage, None, project.gas_quantity, project.gas_unit, key=key, now=DEMO_TIME
            )
        else:
            batch = await issue_batch(view.code, project.vintage, project.amount_kg, key=key, now=DEMO_TIME)
        issued_kg += batch.amount_kg
        if project.code not in listings:
            listings[project.code] = await catalog.create_listing(
                project_code=view.code,
                batch_id=batch.id,
                price_xtr_per_t=project.price_xtr_per_t,
                price_cents_per_t=project.price_cents_per_t,
                currency="EUR",
                now=DEMO_TIME,
            )

    retirement = await _retire_for_the_demo(signing_key, public_base_url)
    forest = await _grow_the_demo_forest()

    product_names = {card.name for card in await catalog.list_products(include_inactive=True)}
    for product in PRODUCTS:
        if product.name not in product_names:
            await catalog.create_product(
                name=product.name,
                description=product.description,
                kg_per_unit=product.kg_per_unit,
                price_xtr=product.price_xtr,
                price_cents=product.price_cents,
                currency="EUR",
                listing_id=listings[product.project_code].id,
                now=DEMO_TIME,
            )
    return (
        f"{len(PROJECTS)} projects, {issued_kg // 1000:,} t issued, {len(listings)} listings, "
        f"{len(PRODUCTS)} products, retirement {retirement.id} for {DEMO_BENEFICIARY}; "
        "Bob and Support signed up, Alice is new; " + forest
    )


async def _retire_for_the_demo(signing_key, public_base_url: str):
    """The forest trust retires 2.5 t of its own credits for a coffee roaster."""
    from core import ledger, registry
    from core.purchases.certificates import certify_retirement

    wallet = await ledger.user_account(FOREST_TRUST.user_id, ledger.CARBON)
    retirement = await registry.retire(
        wallet.id, DEMO_RETIREMENT_KG, DEMO_BENEFICIARY, DEMO_REASON,
        key="demo:retirement:1", now=DEMO_TIME,
    )
    if signing_key is not None:
        await certify_retirement(retirement, signing_key=signing_key, public_base_url=public_base_url)
    return retirement


# A growing forest with simulated years already passed: a eucalyptus woodlot on the
# Kenya project, planted DEMO_FOREST_YEARS before the demo's time. Its rotation
# (7 years, where the species' mean annual increment peaks) is under 20, so
# `cccp simulate --plot <id> --years 60` shows harvests.
DEMO_FOREST_YEARS = 18
DEMO_PLOT_NAME = "Nyeri eucalyptus woodlot"


async def _grow_the_demo_forest() -> str:
    from datetime import timedelta

    from core import reforestation
    from core.reforestation.models import Plot

    plot = await Plot.get_or_none(name=DEMO_PLOT_NAME)
    if plot is None:
        start = DEMO_TIME - timedelta(days=round(DEMO_FOREST_YEARS * 365.25))
        view = await reforestation.register_plot(
            project_id=PROJECTS[0].code, name=DEMO_PLOT_NAME, location="Nyeri County, Kenya", area_m2=50_000,
            species="eucalyptus_grandis", trees_planted=5_555, planted_at=start, now=start,
        )
        now = start
        while now < DEMO_TIME:  # the years pass on simulated time, every 60 days
            now = min(now + timedelta(days=60), DEMO_TIME)
            await reforestation.tick(now, act_for_producers=True)
        plot = await Plot.get(id=view.id)
    return f"forest plot {plot.id} in rotation {plot.rotation}, {plot.issued_kg // 1000:,} t issued from its growth"
