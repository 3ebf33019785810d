"""GET /metrics: Prometheus text for operators, over the real web app."""

from __future__ import annotations

import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement
from core.settings import load_settings
from core.users import service as users
from tests.purchases.conftest import ALICE, BOB, T0, make_shop
from tests.purchases.test_buying import buy
from web import certs, metrics
from web.app import build_web_app

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


@pytest.fixture
async def client(db, tmp_path):
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db))
    async with TestClient(TestServer(app)) as client:
        yield client


async def scrape(client: TestClient) -> dict[str, float]:
    """Every sample as 'name{labels}' -> value; each line must be valid exposition text."""
    response = await client.get("/metrics")
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in (await response.text()).splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ ", line), line
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        samples[match[1] + (match[2] or "")] = float(match[3])
    return samples


async def test_metrics_on_an_empty_database_answer_zeros_not_an_error(client):
    samples = await scrape(client)
    assert samples["cccp_database_up"] == 1
    assert samples["cccp_uptime_seconds"] >= 0
    assert any(name.startswith("cccp_build_info{") and value == 1 for name, value in samples.items())
    for name in ("cccp_users", "cccp_ledger_postings", "cccp_ledger_holds_pending",
                 "cccp_retirements", "cccp_retired_kg", "cccp_certificates"):
        assert samples[name] == 0, name
    assert samples['cccp_purchases{status="paid"}'] == 0
    assert samples['cccp_purchases{status="pending"}'] == 0


async def test_metrics_count_users_purchases_holds_retirements_and_certificates(client):
    await users.sign_up(ALICE, "Alice", "en", [], now=T0)
    await users.sign_up(BOB, "Bob", "en", [], now=T0)
    shop = await make_shop()
    result = await buy(shop, 500, retire_for="Zoë")
    await certify_retirement(result.retirement, signing_key=client.app[certs.CERT_KEY],
                             public_base_url="https://cccp.example")
    order = await purchases.start_purchase(BOB, shop.listing.ref, 300, key="k2", now=T0)
    await purchases.precheckout(order.payload, order.total_amount, order.currency, now=T0)
    await purchases.start_purchase(BOB, shop.listing.ref, 100, key="k3", now=T0)

    samples = await scrape(client)
    assert samples["cccp_users"] == 3  # Alice, Bob and the shop's producer, who signed up to own a project
    assert samples['cccp_purchases{status="paid"}'] == 1
    assert samples['cccp_purchases{status="held"}'] == 1
    assert samples['cccp_purchases{status="pending"}'] == 1
    assert samples['cccp_purchases{status="refunded"}'] == 0
    assert samples["cccp_ledger_holds_pending"] == 1  # Bob's checked-out order holds its credits
    assert samples["cccp_ledger_postings"] >= 2  # the issuance and Alice's purchase at least
    assert (samples["cccp_retirements"], samples["cccp_retired_kg"]) == (1, 500)
    assert samples["cccp_certificates"] == 1


async def test_metrics_still_answer_when_the_database_fails(client, monkeypatch):
    async def broken() -> None:
        raise ConnectionError("database is gone")

    monkeypatch.setattr(metrics, "read_counts", broken)
    samples = await scrape(client)
    assert samples["cccp_database_up"] == 0
    assert "cccp_users" not in samples
    assert samples["cccp_uptime_seconds"] >= 0
