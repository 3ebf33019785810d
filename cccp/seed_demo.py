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
from pathlib import Path

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
            from core.codes.secret import codes_secret

            return await seed_demo(codes_secret=codes_secret(settings), labels_dir=settings.data_dir,
                                   public_base_url=settings.public_base_url)
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


async def seed_demo(*, signing_key=None, public_base_url: str = "", codes_secret: bytes | None = None,
                    labels_dir: Path | None = None) -> str:
    """Create what is missing of the demo data; returns a one-line summary.

    With a signing key, the demo retirement also gets its signed certificate. With the
    codes secret, a demo merchant funds a batch of product codes; with `labels_dir`
    its label sheet (PDF) and a photo of one label go there, for the sandbox page.
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
    trades = await _seed_market()
    codes_note = ""
    if codes_secret is not None:
        codes_note = await _seed_codes(codes_secret, public_base_url or "http://127.0.0.1:8080", labels_dir)
    await _quiet_the_history()
    return (
        f"{len(PROJECTS)} projects, {issued_kg // 1000:,} t issued, {len(listings)} listings, "
        f"a live market ({trades} trades), "
        f"{len(PRODUCTS)} products, retirement {retirement.id} for {DEMO_BENEFICIARY}; "
        "Bob and Support signed up, Alice is new; " + forest + codes_note
    )


async def _quiet_the_history() -> None:
    """The demo's past is no news: the notifications its backdated trades wrote to the outbox
    (Bob's fill) are skipped, not sent when the sandbox starts. Sent then, they would reach a
    chat Bob has not opened in the stand-in yet: the 403 would mark him as having blocked
    the bot, and nothing (a support answer, say) would reach him until he sent /start."""
    from core.outbox import OutboxMessage, OutboxState

    await OutboxMessage.filter(state=OutboxState.PENDING, created_at__lte=DEMO_TIME).update(
        state=OutboxState.SKIPPED, last_error="demo history")


DEMO_TRADER = DemoProducer(7_200_009, "Demo trader")
BOB_STARS = 5_000


async def _seed_market() -> int:
    """A live book from the first minute: each producer offers credits in two
    price levels, a demo trader bids below, and Bob (who gets Stars to trade
    with) has taken from one offer, so there is a last price and a chart."""
    from core import ledger, users
    from core.market import book
    from core.market.rules import Rules

    rules = Rules(min_kg=1, band_percent=0)
    await users.sign_up(DEMO_TRADER.user_id, DEMO_TRADER.name, "en", ["consumer", "trader"], now=DEMO_TIME)
    clearing = await ledger.system_account(ledger.Role.CLEARING, ledger.STARS)
    for user_id, stars in ((DEMO_TRADER.user_id, 200_000), (BOB.user_id, BOB_STARS)):
        wallet = await ledger.user_account(user_id, ledger.STARS)
        await ledger.post(f"demo:market:fund:{user_id}", "payment", [ledger.Leg(clearing.id, wallet.id, stars)],
                          memo="demo Stars", now=DEMO_TIME)
    first_ask = None
    for project in PROJECTS:
        view = await get_project_view(project.code)
        price = project.price_xtr_per_t
        for n, (kg, ask) in enumerate(((20_000, price), (30_000, price * 105 // 100))):
            placed = await book.place_sell(project.producer.user_id, view.id, kg, ask,
                                           key=f"demo:market:{project.code}:sell:{n}", rules=rules, now=DEMO_TIME)
            first_ask = first_ask or placed.offer
        await book.place_bid(DEMO_TRADER.user_id, 10_000, price * 90 // 100, project_id=view.id,
                             key=f"demo:market:{project.code}:bid", rules=rules, now=DEMO_TIME)
    await book.take_offer(BOB.user_id, first_ask.id, 1_500, price_per_t=first_ask.price_per_t,
                          key="demo:market:bob:take", rules=rules, now=DEMO_TIME)
    return len(await book.trades_of(BOB.user_id))


async def get_project_view(code: str):
    from core.registry import get_project

    return await get_project(code)


DEMO_MERCHANT = DemoProducer(7_200_010, "Bergkaffee Rösterei")
DEMO_CODE_PRODUCT = "Bergkaffee 500 g"
DEMO_CODES = 24  # one A4 sheet


async def _seed_codes(secret: bytes, public_base_url: str, labels_dir: Path | None) -> str:
    """A merchant with 2 t of Mount Kenya credits funds 24 codes of a coffee; its labels to `labels_dir`."""
    from core import codes, ledger, users
    from core.codes.labels import Label, label_url

    await users.sign_up(DEMO_MERCHANT.user_id, DEMO_MERCHANT.name, "de", ["merchant"], now=DEMO_TIME)
    wallet = await ledger.user_account(DEMO_MERCHANT.user_id, ledger.CARBON)
    forest = await ledger.user_account(FOREST_TRUST.user_id, ledger.CARBON)
    await ledger.post("demo:merchant:credits", ledger.Kind.TRANSFER, [ledger.Leg(forest.id, wallet.id, 2_000)],
                      memo="demo: credits for the coffee roaster's codes", now=DEMO_TIME)
    await codes.register_merchant(DEMO_MERCHANT.user_id, DEMO_MERCHANT.name, now=DEMO_TIME)
    await codes.approve_merchant(DEMO_MERCHANT.user_id, now=DEMO_TIME)
    products = {p.name: p for p in await codes.products_of(DEMO_MERCHANT.user_id)}
    product = products.get(DEMO_CODE_PRODUCT) or await codes.add_product(
        DEMO_MERCHANT.user_id, DEMO_CODE_PRODUCT, kg_per_unit=4, gtin="4012345678901", now=DEMO_TIME)
    batch = await codes.fund_batch(product.id, DEMO_CODES, secret=secret, key="demo:codes:1", now=DEMO_TIME)
    all_codes = await codes.batch_codes(batch.id, secret=secret)
    if labels_dir is not None:
        labels = [Label(c, label_url(public_base_url, c), product.name, product.kg_per_unit) for c in all_codes]
        await asyncio.to_thread(_write_labels, labels_dir, labels)
    return f"; merchant {DEMO_MERCHANT.name} with batch {batch.id} of {DEMO_CODES} codes (first: {codes.printed(all_codes[0])})"


def _write_labels(labels_dir: Path, labels) -> None:
    """The sheet and a photo of its first label (CPU and disk work: run in a thread)."""
    from core.codes.labels import render_labels

    labels_dir.mkdir(parents=True, exist_ok=True)
    (labels_dir / "demo-labels.pdf").write_bytes(render_labels(labels))
    (labels_dir / "demo-label-photo.jpg").write_bytes(label_photo(labels[0]))


def label_photo(label) -> bytes:
    """A phone's photo of one label, drawn with Pillow (the sandbox page can send it)."""
    import io

    import qrcode
    from PIL import Image, ImageDraw

    from core.certs.render import font
    from core.codes import printed

    qr = qrcode.make(label.url, border=2, box_size=8).convert("RGB")
    card = Image.new("RGB", (qr.width + 360, qr.height + 70), "white")
    card.paste(qr, (10, 10))
    draw = ImageDraw.Draw(card)
    draw.text((20, qr.height + 15), printed(label.code), fill="black", font=font(30, bold=True))
    draw.text((qr.width + 30, qr.height // 2 - 30), label.product_name, fill="black", font=font(26, bold=True))
    draw.text((qr.width + 30, qr.height // 2 + 10), f"{label.kg} kg CO2e", fill="black", font=font(24))
    table = Image.new("RGB", (card.width + 160, card.height + 160), (228, 220, 206))
    table.paste(card, (80, 80))
    out = io.BytesIO()
    table.rotate(8, expand=True, fillcolor=(228, 220, 206)).save(out, "JPEG", quality=80)
    return out.getvalue()


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
