"""`cccp seed-demo` fills a database with projects, credits, prices, products and people, once."""

from __future__ import annotations

from cccp.seed_demo import PROJECTS, is_seeded, seed_demo
from core import users
from core.catalog import service as catalog
from core.registry import list_batches, list_projects
from core.users import UserRole
from sandbox.page import ALICE, BOB, SUPPORT


async def test_the_demo_has_projects_of_four_methodologies_with_credits_for_sale(db):
    await seed_demo()
    projects = await list_projects()
    assert {p.methodology for p in projects} == {"VM0047", "ACM0001", "AM0023", "CCCP-SF6"}
    assert {p.country for p in projects} == {"KE", "DE", "US", "FR"}
    listings = await catalog.list_listings()
    assert len(listings) == len(PROJECTS)
    assert all(card.available_kg > 0 and card.price_xtr_per_t > 0 and card.price_cents_per_t > 0 for card in listings)


async def test_landfill_methane_is_issued_from_tonnes_of_ch4(db):
    await seed_demo()
    (batch,) = await list_batches("DELFG")
    assert batch.amount_kg == 1200 * 1000 * 27  # t CH4 x 1000 kg x GWP 27.0 (non-fossil)


async def test_the_catalogue_has_cccp_products_carrying_credits(db):
    await seed_demo()
    products = {p.name: p for p in await catalog.list_products()}
    coffee = products["Carbon-neutral coffee 1 kg"]
    assert coffee.kg_per_unit == 10 and coffee.price_xtr > 0 and coffee.available_units > 0


async def test_bob_and_support_are_signed_up_alice_is_left_new_and_the_demos_past_notifies_nobody(db):
    from core.outbox import OutboxMessage, OutboxState

    await seed_demo()
    assert (await users.get_user(BOB.user_id)).roles == {UserRole.CONSUMER, UserRole.TRADER}
    assert UserRole.STAFF in (await users.get_user(SUPPORT.user_id)).roles
    assert await users.get_user(ALICE.user_id) is None
    # Bob's demo trade wrote a fill notification; sent at start it would meet a chat Bob has not opened.
    assert await OutboxMessage.filter(chat_id=BOB.user_id, kind="market_fill", state=OutboxState.SKIPPED).exists()
    assert not await OutboxMessage.filter(state=OutboxState.PENDING).exists()


async def test_seeding_again_changes_nothing(db):
    assert not await is_seeded()
    await seed_demo()
    before = (await list_projects(), await list_batches(), await catalog.list_listings(), await catalog.list_products())
    await seed_demo()
    after = (await list_projects(), await list_batches(), await catalog.list_listings(), await catalog.list_products())
    assert after == before
    assert await is_seeded()


async def test_the_demo_has_a_retirement_the_public_registry_shows_with_its_certificate(db):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cccp.seed_demo import DEMO_BENEFICIARY
    from core.certs.service import get_certificate_by_key
    from core.registry import lookup
    from core.registry.models import Retirement

    await seed_demo(signing_key=Ed25519PrivateKey.generate(), public_base_url="http://sandbox.test")
    (retirement,) = await Retirement.all()
    found = await lookup(retirement.public_id)
    assert found.retirement.beneficiary == DEMO_BENEFICIARY and found.retirement.amount_kg == 2_500
    certificate = await get_certificate_by_key(f"retirement:{retirement.public_id}")
    assert certificate.beneficiary == DEMO_BENEFICIARY
    assert certificate.verify_url == f"http://sandbox.test/c/{certificate.id}"


async def test_the_demo_has_a_growing_forest_with_years_passed_and_a_short_rotation(db):
    from datetime import timedelta

    from cccp.seed_demo import DEMO_TIME
    from core import reforestation

    await seed_demo()
    [plot] = await reforestation.list_plots(now=DEMO_TIME)
    assert plot.rotation_years < 20 and plot.rotation >= 3  # harvested and replanted twice or more already
    assert 0 < plot.issued_kg <= plot.lta_kg
    assert plot.status in ("planted", "growing")
    later = await reforestation.get_plot(plot.id, now=DEMO_TIME + timedelta(days=365))
    assert later.stock_kg > plot.stock_kg  # still growing
async def test_the_demo_has_a_live_book_where_bob_has_traded(db):
    from core.market import book

    await seed_demo()
    lines = await book.overview()
    assert all(line.best_ask and line.best_bid for line in lines)
    assert any(line.last_price_per_t for line in lines)
    assert await book.trades_of(BOB.user_id)
async def test_the_demo_has_a_merchant_with_a_funded_batch_a_label_sheet_and_a_label_photo(db, tmp_path):
    from cccp.seed_demo import DEMO_CODES, DEMO_MERCHANT
    from core import codes
    from core.codes.scan import codes_in_photo

    secret = b"d" * 32
    await seed_demo(codes_secret=secret, labels_dir=tmp_path)
    await seed_demo(codes_secret=secret, labels_dir=tmp_path)  # again: the same batch, nothing moved twice
    (batch,) = await codes.batches(user_id=DEMO_MERCHANT.user_id)
    assert batch.count == DEMO_CODES and batch.held_kg == DEMO_CODES * 4
    assert (tmp_path / "demo-labels.pdf").read_bytes().startswith(b"%PDF")
    (found,) = codes_in_photo((tmp_path / "demo-label-photo.jpg").read_bytes())
    assert found == (await codes.batch_codes(batch.id, secret=secret))[0]
