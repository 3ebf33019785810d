"""Buying and certificates: certificate render time and purchases per second.

`run_purchases` drives the core path a paid, retired purchase takes in the
bot, without Telegram: start_purchase -> precheckout (holds the seller's
batch credits) -> complete_payment (the money booked, then delivered and
retired in one transaction) -> certify_retirement (sign and store), each purchase
by its own buyer. `render_p50_ms` times render_certificate_png (Pillow and
qrcode) on one certificate. The caller opens the database (SQLite for the
recorded figures); `make bench` runs the full size, `make test` a tiny one.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import registry, users
from core.catalog import service as catalog
from core.certs.render import render_certificate_png
from core.ledger import STARS
from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement

BASE_URL = "https://cccp.example"
AMOUNT_KG = 500


@dataclass(frozen=True)
class PurchaseFigures:
    purchases: int
    seconds: float
    renders: int
    render_p50_ms: float
    render_p95_ms: float

    @property
    def purchases_per_s(self) -> float:
        return self.purchases / self.seconds

    def text(self) -> str:
        return (
            f"{self.purchases} purchases in {self.seconds:.2f} s = {self.purchases_per_s:.1f}/s; "
            f"certificate render p50 {self.render_p50_ms:.1f} ms, p95 {self.render_p95_ms:.1f} ms "
            f"({self.renders} renders)"
        )


async def _shop(amount_kg: int) -> str:
    now = datetime.now(UTC)
    if await users.get_user(1) is None:  # a project's producer is a signed-up user
        await users.sign_up(1, "Bench producer", "en", ["producer"], now=now)
    project = await registry.create_project(
        name="Bench landfill gas", methodology="ACM0001", country="DE", producer_id=1,
        code="BENCH", approve=True, now=now,
    )
    batch = await registry.issue_batch(project.id, now.year - 1, amount_kg, key="bench", now=now)
    listing = await catalog.create_listing(
        project_code=project.code, batch_id=batch.id, price_xtr_per_t=1000, now=now
    )
    return listing.ref


async def run_purchases(n_purchases: int, n_renders: int = 20) -> PurchaseFigures:
    """Time n paid-and-retired purchases end to end, and n_renders certificate renders."""
    ref = await _shop(n_purchases * AMOUNT_KG)
    key = Ed25519PrivateKey.generate()
    started = time.perf_counter()
    cert = None
    for i in range(n_purchases):
        buyer = 10_000 + i
        order = await purchases.start_purchase(
            buyer, ref, AMOUNT_KG, retire_for=f"Buyer {i}", reason="benchmark", key=f"bench:{i}"
        )
        verdict = await purchases.precheckout(order.payload, order.total_amount, STARS)
        assert verdict.ok, verdict
        result = await purchases.complete_payment(
            order.payload, f"charge-{i}", order.total_amount, STARS, user_id=buyer
        )
        cert = await certify_retirement(result.retirement, signing_key=key, public_base_url=BASE_URL)
    seconds = time.perf_counter() - started
    timings = []
    for _ in range(n_renders):
        t0 = time.perf_counter()
        render_certificate_png(cert)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return PurchaseFigures(n_purchases, seconds, n_renders, statistics.median(timings), p95)
