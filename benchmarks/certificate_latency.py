"""Payment -> certificate photo: how long a buyer waits, against the render alone.

`run_latency` times, in-process and without Telegram, what the bot does between a
successful_payment and sending the photo: complete_payment (the money booked, then
delivered and retired in one transaction), certify_retirement (sign and store) and
render_certificate_png. The baseline, in the same run, is the render alone of the same
certificate. `first_cold_ms` and `first_warmed_ms` are the first render in a fresh
process, without and with `core.certs.render.warm()` (what `cccp run` calls at start):
fonts, the emoji font's map, the QR encoder and the page backgrounds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.purchases import AMOUNT_KG, BASE_URL, _shop
from core.certs.render import render_certificate_png, warm
from core.ledger import STARS
from core.purchases import service as purchases
from core.purchases.certificates import certify_retirement

# A fresh interpreter draws one certificate: the figure a first buyer after a start sees.
FIRST_RENDER = """
import sys, time
from datetime import UTC, datetime
from core.certs.models import CertificateKind
from core.certs.service import CertificateView
from core.certs import render
if sys.argv[1] == "warm":
    render.warm()
view = CertificateView(
    id="C4QZ8M1T0E3K9X", kind=CertificateKind.RETIREMENT, beneficiary="Zoë 🌍 Förderverein e.V.",
    amount_kg=500, reason="Flight LHR–CDG", project_name="Hamburg landfill gas", methodology="ACM0001",
    country="DE", vintage=2025, serial_ranges=("CCCP-LAND-2025-1-500",), retirement_id="R7K3M9Q2XA4",
    issued_at=datetime(2026, 12, 1, tzinfo=UTC), verify_url="https://cccp.example/c/C4QZ8M1T0E3K9X",
    signature="A" * 86, key_id="0123456789abcdef", payload={"standard": "VCS", "project_id": "LAND"})
t0 = time.perf_counter()
render.render_certificate_png(view)
print((time.perf_counter() - t0) * 1000)
"""


@dataclass(frozen=True)
class LatencyFigures:
    payments: int
    payment_to_png_p50_ms: float
    payment_to_png_p95_ms: float
    render_p50_ms: float
    first_cold_ms: float
    first_warmed_ms: float

    @property
    def ratio(self) -> float:
        """Payment -> PNG over the render alone (1.0: the render is all of it)."""
        return self.payment_to_png_p50_ms / self.render_p50_ms

    def text(self) -> str:
        return (
            f"{self.payments} payments: payment -> certificate PNG p50 {self.payment_to_png_p50_ms:.1f} ms, "
            f"p95 {self.payment_to_png_p95_ms:.1f} ms; render alone p50 {self.render_p50_ms:.1f} ms "
            f"(x{self.ratio:.2f}); first render in a fresh process {self.first_cold_ms:.0f} ms cold, "
            f"{self.first_warmed_ms:.0f} ms after warm()"
        )


def first_render_ms(mode: str) -> float:
    """The first render in a new interpreter (`mode` "cold" or "warm")."""
    done = subprocess.run([sys.executable, "-c", FIRST_RENDER, mode], capture_output=True, text=True,
                          check=True, timeout=120)
    return float(done.stdout.strip().splitlines()[-1])


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def run_latency(n_payments: int, *, fresh_processes: int = 1) -> LatencyFigures:
    """Time n paid purchases from complete_payment to PNG bytes, and the render alone."""
    warm()  # what `cccp run` does at start
    ref = await _shop(n_payments * AMOUNT_KG)
    key = Ed25519PrivateKey.generate()
    waits, renders = [], []
    for i in range(n_payments):
        buyer = 20_000 + i
        order = await purchases.start_purchase(
            buyer, ref, AMOUNT_KG, retire_for=f"Buyer {i}", reason="benchmark", key=f"lat:{i}"
        )
        verdict = await purchases.precheckout(order.payload, order.total_amount, STARS)
        assert verdict.ok, verdict
        t0 = time.perf_counter()
        result = await purchases.complete_payment(
            order.payload, f"lat-charge-{i}", order.total_amount, STARS, user_id=buyer
        )
        cert = await certify_retirement(result.retirement, signing_key=key, public_base_url=BASE_URL)
        render_certificate_png(cert)
        waits.append((time.perf_counter() - t0) * 1000)
        t1 = time.perf_counter()
        render_certificate_png(cert)  # the baseline: the same certificate, drawn alone
        renders.append((time.perf_counter() - t1) * 1000)
    cold = statistics.median(first_render_ms("cold") for _ in range(fresh_processes))
    warmed = statistics.median(first_render_ms("warm") for _ in range(fresh_processes))
    return LatencyFigures(n_payments, statistics.median(waits), _p(waits, 0.95), statistics.median(renders),
                          cold, warmed)
