"""Kill -9 of `cccp run` at the moment it acknowledges a paid update: nothing is lost.

The bot runs as a real `cccp run` process against the local Bot API stand-in in
this process. Each buyer has an order held for them and pays (the stand-in takes
the Stars and queues the successful_payment). The moment the stand-in sees the
update acknowledged — the next getUpdates offset, or the webhook's 200 — it kills
the bot with SIGKILL. After a restart (or a second process standing by) every
charge must be booked and its order completed, and the ledger verify clean.

`make test` kills once per mode and database; `make bench` (slow) kills at each
of 10 paid updates and at random moments during 300 purchases.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tortoise.backends.base import executor
from tortoise.context import TortoiseContext

import core
from bot.inbox import LEASE_NAME
from core import db as database
from core import users
from core.checks import verify_all
from core.clock import utcnow
from core.inbox.models import Lease
from core.ledger import CARBON, STARS, user_account
from core.purchases import service as purchases
from core.purchases.models import Payment, PaymentOutcome, Purchase, PurchaseStatus
from sandbox.botapi import BotApiServer
from sandbox.botapi.state import Invoice
from tests.purchases.conftest import make_shop
from tests.test_newcomer import free_port

TOKEN = "4242:KILL-TEST"
START_TIMEOUT_S = 60
KG = 100  # each order: 100 kg at 1000 Stars per tonne = 100 Stars


class Bot:
    """`cccp run` as a separate process, started and killed at will."""

    def __init__(self, server: BotApiServer, db_url: str, tmp_path: Path, *, webhook: bool) -> None:
        self.server = server
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "WEBHOOK_URL"}}
        self.env.update(
            BOT_TOKEN=TOKEN, DATABASE_URL=db_url, TELEGRAM_API_URL=server.url, DATA_DIR=str(tmp_path),
            WEB_PORT=str(self.port), INBOX_LEASE_S="2", WEBHOOK_SECRET="kill-test-secret",
            WEBHOOK_URL=f"http://127.0.0.1:{self.port}/telegram/webhook" if webhook else "",
        )
        self.cwd = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.envs: dict[int, dict[str, str]] = {}

    def start(self, *, own_port: bool = False) -> subprocess.Popen:
        """Start `cccp run`; a restart keeps the webhook's port, a standby beside a running
        process (`own_port`) listens on a port of its own, as a second machine would."""
        env = self.env
        if own_port:
            port = free_port()
            env = {**env, "WEB_PORT": str(port)}
            if env["WEBHOOK_URL"]:
                env["WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram/webhook"
        process = subprocess.Popen(
            [sys.executable, "-m", "cccp", "run"], cwd=self.cwd, env=env,
            stdout=subprocess.DEVNULL, stderr=open(self.cwd / f"bot-{len(self.processes)}.log", "w"),  # noqa: SIM115
        )
        self.processes.append(process)
        self.envs[process.pid] = env
        return process

    def env_of(self, process: subprocess.Popen) -> dict[str, str]:
        return self.envs[process.pid]

    def kill(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)

    async def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.asynccontextmanager
async def opened(db_url: str):
    """The database, opened in this process beside the bot's (see tests/conftest.py on the cache)."""
    executor.EXECUTOR_CACHE.clear()
    core.setup()
    async with TortoiseContext() as ctx:
        await ctx.init(config=database.tortoise_config(db_url))
        yield


async def _prepare(db_url: str, server: BotApiServer, buyers: int) -> list[tuple]:
    """A shop, `buyers` people each with an order held for them, and their invoices."""
    async with opened(db_url):
        shop = await make_shop(amount_kg=buyers * KG)
        people = []
        for n in range(buyers):
            person = server.user(f"Buyer{n}")
            await users.sign_up(person.user_id, person.user.first_name, "en", ["consumer"], now=utcnow())
            order = await purchases.start_purchase(person.user_id, shop.listing.ref, KG, key=f"kill:{n}")
            assert (await purchases.precheckout(order.payload, order.total_amount, STARS,
                                                user_id=person.user_id, hold_ttl_s=3600)).ok
            invoice = Invoice(chat_id=person.user_id, message_id=0, title="t", description="d",
                              payload=order.payload, provider_token="", currency=STARS,
                              prices=[{"label": "t", "amount": order.total_amount}])
            people.append((person, order, invoice))
    return people


def _pay(server: BotApiServer, person, invoice):
    """Telegram takes the Stars and queues the successful_payment."""
    payment = server.record_payment(person.user, invoice)
    message = server.add_user_message(person.user, successful_payment={
        "currency": payment.currency, "total_amount": payment.total_amount,
        "invoice_payload": payment.invoice_payload,
        "telegram_payment_charge_id": payment.telegram_payment_charge_id,
        "provider_payment_charge_id": ""})
    return payment, server.queue_update({"message": message.to_api()})


async def _settled(db_url: str, charges: set[str], timeout_s: float = 90) -> dict:
    """Wait until every charge is booked and applied; the outcome per charge."""
    deadline = time.monotonic() + timeout_s
    async with opened(db_url):
        while True:
            rows = await Payment.filter(telegram_payment_charge_id__in=list(charges))
            outcomes = {p.telegram_payment_charge_id: p.outcome for p in rows}
            if len(outcomes) == len(charges) and PaymentOutcome.RECEIVED not in outcomes.values():
                return outcomes
            assert time.monotonic() < deadline, f"booked {len(outcomes)} of {len(charges)}: {outcomes}"
            await asyncio.sleep(0.2)


async def _check_books(db_url: str, people: list[tuple], server: BotApiServer) -> None:
    async with opened(db_url):
        for person, order, _ in people:
            row = await Purchase.get(public_id=order.id)
            assert row.status == PurchaseStatus.PAID, (order.id, row.status)
            assert (await user_account(person.user_id, CARBON)).balance == KG
        report = await verify_all()
        assert report.is_clean, report.text()
    assert not any(p.is_refunded for p in server.payments.values())


async def _wait_for(condition, what: str, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _standby_beside(bot: Bot, db_url: str, server: BotApiServer, primary: subprocess.Popen) -> None:
    """Once `primary` processes the inbox, start a standby on a port of its own; the webhook
    then points at the standby (the last to set it), so updates keep arriving however the
    primary dies, as they would behind a load balancer."""
    async def primary_holds_the_lease() -> bool:
        async with opened(db_url):
            lease = await Lease.get_or_none(name=LEASE_NAME)
        return lease is not None and f":{primary.pid}:" in lease.holder

    await _wait_for(primary_holds_the_lease, "the first process to take the inbox lease")
    standby = bot.start(own_port=True)

    async def webhook_points_at_the_standby() -> bool:
        assert standby.poll() is None, "the standby stopped"
        return server.webhook is not None and server.webhook.url == bot.env_of(standby)["WEBHOOK_URL"]

    await _wait_for(webhook_points_at_the_standby, "the standby to set the webhook")


async def run_with_kills(db_url: str, tmp_path: Path, *, webhook: bool, buyers: int, kill_at: set[int],
                         standby: bool = False) -> int:
    """Pay `buyers` orders one after another, SIGKILL the bot at the acknowledgement of the
    payments numbered in `kill_at`, restart it (or let a standby take over); returns the kills."""
    server = BotApiServer(TOKEN, webhook_retry_s=0.05)
    await server.start()
    bot = Bot(server, db_url, tmp_path, webhook=webhook)
    kills = 0
    try:
        people = await _prepare(db_url, server, buyers)
        current = bot.start()
        if standby:
            await _standby_beside(bot, db_url, server, current)
        charges = set()
        for n, (person, _, invoice) in enumerate(people):
            payment, pending = _pay(server, person, invoice)
            charges.add(payment.telegram_payment_charge_id)
            await asyncio.wait_for(asyncio.shield(pending.fetched), START_TIMEOUT_S)
            if n in kill_at:  # at once, as the acknowledgement arrives
                victims = [p for p in bot.processes if p.poll() is None]
                for victim in victims[:1]:
                    bot.kill(victim)
                    await asyncio.to_thread(victim.wait, 10)
                    kills += 1
                if not standby:
                    current = bot.start()
        outcomes = await _settled(db_url, charges)
        assert set(outcomes.values()) == {PaymentOutcome.COMPLETED}, outcomes
        await _check_books(db_url, people, server)
        assert current is not None
    finally:
        await bot.stop_all()
        await server.stop()
    return kills


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_kill_at_the_acknowledgement_of_a_payment_loses_nothing(db_url, tmp_path, webhook):
    kills = await run_with_kills(db_url, tmp_path, webhook=webhook, buyers=3, kill_at={1})
    assert kills == 1


async def test_a_standby_process_replays_the_inbox_of_a_killed_one(db_url, tmp_path):
    kills = await run_with_kills(db_url, tmp_path, webhook=True, buyers=3, kill_at={1}, standby=True)
    assert kills == 1


@pytest.mark.slow
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_ten_kills_at_ten_acknowledgements_lose_nothing(db_url, tmp_path, webhook):
    assert await run_with_kills(db_url, tmp_path, webhook=webhook, buyers=10, kill_at=set(range(10))) == 10


@pytest.mark.slow
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_random_kills_during_300_purchases_lose_nothing(db_url, tmp_path, webhook):
    kill_at = set(random.Random(12).sample(range(300), 8))
    assert await run_with_kills(db_url, tmp_path, webhook=webhook, buyers=300, kill_at=kill_at) == 8
