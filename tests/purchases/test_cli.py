"""`cccp catalog` and `cccp purchases` on a real database."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.backends.base import executor

from cccp.__main__ import main
from core import db as database
from core import registry
from tests.helpers import sign_up_producer
from tests.purchases.conftest import PRODUCER, T0


async def _seed(url: str) -> int:
    executor.EXECUTOR_CACHE.clear()  # SQLite's cached INSERTs must not reach PostgreSQL
    await database.open_db(url)
    try:
        await sign_up_producer(PRODUCER)
        project = await registry.create_project(
            name="Hamburg landfill gas", methodology="ACM0001", country="DE",
            producer_id=PRODUCER, code="LAND", approve=True, now=T0)
        batch = await registry.issue_batch(project.id, 2023, 10_000, key="cli", now=T0)
        return batch.id
    finally:
        await database.close_db()


@pytest.fixture
def seeded(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return asyncio.run(_seed(db_url))


def test_an_operator_lists_credits_and_a_product_and_sees_them_for_sale(seeded, capsys):
    assert main(["catalog", "add-listing", "--project", "land", "--batch", str(seeded),
                 "--price-xtr-per-t", "1000", "--price-cents-per-t", "1500"]) == 0
    assert main(["catalog", "add-product", "--name", "CCCP coffee", "--kg", "25",
                 "--price-xtr", "40", "--listing", "1"]) == 0
    capsys.readouterr()
    assert main(["catalog", "list"]) == 0
    out = capsys.readouterr().out
    assert "L1  LAND Hamburg landfill gas" in out and "10 t available at 1000 XTR/t, €15.00/t" in out
    assert "P1  CCCP coffee: 25 kg CO2e per unit at 40 XTR from L1; 400 units available" in out


def test_a_withdrawn_listing_disappears_from_the_list(seeded, capsys):
    main(["catalog", "add-listing", "--project", "LAND", "--batch", str(seeded),
          "--price-xtr-per-t", "1000"])
    assert main(["catalog", "withdraw", "L1"]) == 0
    capsys.readouterr()
    main(["catalog", "list"])
    assert "No listings." in capsys.readouterr().out


def test_a_listing_for_an_unknown_batch_exits_2_and_says_why(seeded, capsys):
    assert main(["catalog", "add-listing", "--project", "LAND", "--batch", "999",
                 "--price-xtr-per-t", "1000"]) == 2
    assert "invalid_listing" in capsys.readouterr().err


def test_reduction_orders_are_listed(seeded, capsys):
    assert main(["purchases", "reductions"]) == 0
    assert "No reduction orders." in capsys.readouterr().out


async def _buy_and_retire(url: str, batch_id: int) -> str:
    from core.catalog import service as catalog
    from core.ledger import STARS
    from core.purchases import service as purchases

    executor.EXECUTOR_CACHE.clear()
    await database.open_db(url)
    try:
        listing = await catalog.create_listing(
            project_code="LAND", batch_id=batch_id, price_xtr_per_t=1000, now=T0)
        order = await purchases.start_purchase(
            1001, listing.ref, 500, retire_for="Zoë", key="cli-buy", now=T0)
        assert (await purchases.precheckout(order.payload, order.total_amount, STARS, now=T0)).ok
        paid = await purchases.complete_payment(
            order.payload, "cli-charge", order.total_amount, STARS, user_id=1001, now=T0)
        return paid.retirement.id
    finally:
        await database.close_db()


def test_the_registry_shows_the_reduction_order_a_purchase_started(seeded, db_url, capsys):
    retirement_id = asyncio.run(_buy_and_retire(db_url, seeded))
    assert main(["registry", "show", retirement_id]) == 0
    out = capsys.readouterr().out
    assert f"retirement {retirement_id}: 500 kg for Zoë" in out
    assert "reduction order #1: recorded, 500 kg, 2025-03-01" in out
    assert main(["registry", "reductions"]) == 0
    out = capsys.readouterr().out
    assert "#1  2025-03-01 12:00  recorded  0.5 t (500 kg) via LAND" in out
    assert f"retirement {retirement_id}" in out


async def _card_payment_owed_back(url: str, batch_id: int) -> str:
    from core.catalog import service as catalog
    from core.purchases import service as purchases

    executor.EXECUTOR_CACHE.clear()
    await database.open_db(url)
    try:
        listing = await catalog.create_listing(
            project_code="LAND", batch_id=batch_id, price_xtr_per_t=1000,
            price_cents_per_t=1500, currency="EUR", now=T0)
        order = await purchases.start_purchase(1001, listing.ref, 500, currency="EUR", key="c", now=T0)
        # Paid without a pre-checkout hold: the credits cannot be delivered.
        paid = await purchases.complete_payment(
            order.payload, "tg-card-1", 750, "EUR", user_id=1001,
            provider_payment_charge_id="prov_1", now=T0)
        assert paid.needs_refund
        return paid.charge_id
    finally:
        await database.close_db()


def test_staff_list_a_card_payment_owed_back_and_book_its_refund_once(seeded, db_url, capsys):
    charge_id = asyncio.run(_card_payment_owed_back(db_url, seeded))
    assert main(["purchases", "refunds"]) == 0
    out = capsys.readouterr().out
    assert f"{charge_id}  2025-03-01 12:00  user 1001  750 EUR" in out and "provider prov_1" in out
    assert main(["purchases", "record-refund", charge_id]) == 0
    assert main(["purchases", "record-refund", charge_id]) == 0
    assert capsys.readouterr().out.count("refund of 750 EUR (minor units) booked: refunded") == 2
    main(["purchases", "refunds"])
    assert "No refunds owed." in capsys.readouterr().out
    assert main(["verify"]) == 0


async def _owe_a_refund(url: str) -> None:
    from core.purchases import service as purchases

    executor.EXECUTOR_CACHE.clear()
    await database.open_db(url)
    try:
        await purchases.complete_payment("p:nobody", "stx-owed", 120, "XTR", user_id=555, now=T0)
    finally:
        await database.close_db()


def test_payments_status_shows_the_inbox_the_outbox_and_refunds_owed(seeded, db_url, capsys):
    asyncio.run(_owe_a_refund(db_url))
    assert main(["payments", "status"]) == 0
    out = capsys.readouterr().out
    assert "inbox: 0 pending" in out and "outbox: 0 pending" in out
    assert "refunds owed: 1" in out and "stx-owed  user 555  120 XTR  order_unknown" in out
    assert "never reconciled with Telegram" in out
    assert main(["verify"]) == 0
    assert "Stars: never reconciled with Telegram" in capsys.readouterr().out


def test_payments_reconcile_needs_a_bot_token(seeded, monkeypatch, capsys):
    monkeypatch.setenv("BOT_TOKEN", "")
    assert main(["payments", "reconcile"]) == 2
    assert "BOT_TOKEN" in capsys.readouterr().err
