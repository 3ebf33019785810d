"""GET /metrics: Prometheus text for operators, over the real web app, and who may read it."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement
from core.settings import SettingsError, load_settings
from core.users import service as users
from tests.purchases.conftest import ALICE, BOB, T0, make_shop
from tests.purchases.test_buying import buy
from web import certs, metrics
from web.app import build_web_app

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")
METRICS_TOKEN = "0f3c9a5e7b1d2468ace13579bdf02468"


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


async def test_metrics_show_the_inbox_refunds_owed_and_reconciliation(client):
    from core import inbox
    from core.purchases import reconcile

    assert (await scrape(client))['cccp_inbox_updates{state="pending"}'] == 0
    await inbox.store([(1, 7, {"update_id": 1})], now=T0)
    await purchases.complete_payment("p:nobody", "owed", 50, "XTR", user_id=BOB, now=T0)
    await purchases.complete_payment("p:nobody", "odd", 0, "XTR", user_id=BOB, now=T0)

    async def telegram(offset, limit):
        return [reconcile.StarCharge("tg-only", BOB, 40, "p:gone")][offset:offset + limit]

    await reconcile.reconcile(telegram, now=T0)
    samples = await scrape(client)
    assert samples['cccp_inbox_updates{state="pending"}'] == 1
    assert samples["cccp_payments_refund_owed"] == 2  # "owed", and "tg-only", booked then
    assert samples["cccp_payments_unbookable"] == 1
    assert (samples["cccp_reconcile_booked"], samples["cccp_reconcile_problems"]) == (1, 0)


async def test_metrics_still_answer_when_the_database_fails(client, monkeypatch):
    async def broken() -> None:
        raise ConnectionError("database is gone")

    monkeypatch.setattr(metrics, "read_counts", broken)
    samples = await scrape(client)
    assert samples["cccp_database_up"] == 0
    assert "cccp_users" not in samples
    assert samples["cccp_uptime_seconds"] >= 0


def metrics_app(db, tmp_path, *, token: str = "", remote: str | None = None) -> web.Application:
    """The web app; with `remote`, every request looks as if it came from that address."""
    app = build_web_app(load_settings(data_dir=tmp_path, database_url=db, metrics_token=token))
    if remote is not None:
        @web.middleware
        async def from_remote(request: web.Request, handler):
            return await handler(request.clone(remote=remote))

        app.middlewares.append(from_remote)
    return app


async def status_of(app: web.Application, headers: dict[str, str] | None = None) -> int:
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics", headers=headers or {})
        return response.status


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
async def test_with_no_token_a_client_on_this_machine_may_scrape(db, tmp_path, address):
    assert await status_of(metrics_app(db, tmp_path, remote=address)) == 200


@pytest.mark.parametrize("address", ["203.0.113.7", "10.0.0.5", "2001:db8::1", "::ffff:192.0.2.1", ""])
async def test_with_no_token_any_other_client_is_refused_403(db, tmp_path, address):
    assert await status_of(metrics_app(db, tmp_path, remote=address)) == 403


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
async def test_with_no_token_a_visitor_relayed_by_a_local_proxy_is_refused_403(db, tmp_path, header):
    assert await status_of(metrics_app(db, tmp_path), {header: "203.0.113.7"}) == 403


async def test_with_a_token_a_scraper_without_it_gets_401_even_from_this_machine(db, tmp_path):
    app = metrics_app(db, tmp_path, token=METRICS_TOKEN)
    async with TestClient(TestServer(app)) as client:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                        {"Authorization": f"Basic {METRICS_TOKEN}"}, {"Authorization": METRICS_TOKEN},
                        {"Authorization": f"Bearer {METRICS_TOKEN}x"}):
            response = await client.get("/metrics", headers=headers)
            assert response.status == 401, headers
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "cccp_users" not in await response.text()


async def test_with_a_token_its_bearer_may_scrape_from_anywhere(db, tmp_path):
    app = metrics_app(db, tmp_path, token=METRICS_TOKEN, remote="203.0.113.7")
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert response.status == 200
        assert "cccp_database_up 1" in await response.text()


@pytest.mark.parametrize("token", ["short", "has spaces in it but is long", "ümlaut-ümlaut-ümlaut"])
def test_a_metrics_token_that_is_no_bearer_token_stops_the_start_without_showing_it(token):
    with pytest.raises(SettingsError) as raised:
        load_settings(metrics_token=token)
    assert "METRICS_TOKEN" in str(raised.value)
    assert token not in str(raised.value)


async def test_metrics_show_the_outbox_queue_sent_failed_and_429s(client):
    from core import outbox
    from core.outbox import OutboxState

    samples = await scrape(client)
    assert samples["cccp_outbox_queue_depth"] == 0 and samples["cccp_outbox_rate_limited"] == 0
    for n in range(3):
        await outbox.enqueue(7, "notice", {"text": "hi"}, dedup_key=f"m:{n}", now=T0)
    [first] = await outbox.claim(limit=1, now=T0)
    await outbox.mark_sent(first.id, now=T0)
    [second] = await outbox.claim(limit=1, now=T0)
    await outbox.mark_failed(second.id, "bad request: chat not found")
    await outbox.pause(7, until=T0, now=T0, everyone_within=outbox.CLAIM_TIMEOUT)
    samples = await scrape(client)
    assert samples["cccp_outbox_queue_depth"] == 1
    assert samples[f'cccp_outbox_messages{{state="{OutboxState.SENT}"}}'] == 1
    assert samples[f'cccp_outbox_messages{{state="{OutboxState.FAILED}"}}'] == 1
    assert samples["cccp_outbox_rate_limited"] == 1
