"""The certificate for a retirement: what was retired, for whom, which serials.

The certificate's idempotency key is `retirement:<retirement id>`, so asking
again (a redelivered payment, a retried /retire) returns the same signed
certificate. A retirement that took serials from several projects names them
all; methodology, country and vintage are printed when they are one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import ledger, outbox, registry
from core.certs.models import Certificate, CertificateKind
from core.certs.service import CertificateData, CertificateView, issue_certificate
from core.clock import utcnow
from core.outbox.models import OutboxMessage, OutboxState
from core.registry.models import Retirement


def _one(values: list) -> object | None:
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else None


async def certificate_data(
    retirement: registry.RetirementView,
    *,
    kind: CertificateKind = CertificateKind.RETIREMENT,
    language: str = "en",
) -> CertificateData:
    """What the certificate of `retirement` states."""
    codes = list(dict.fromkeys(r.project_code for r in retirement.ranges))
    projects = [await registry.get_project(code) for code in codes]
    methodology = _one([p.methodology_name for p in projects]) or ""
    country = _one([p.country for p in projects]) or ""
    return CertificateData(
        kind=kind,
        beneficiary=retirement.beneficiary,
        amount_kg=retirement.amount_kg,
        project_name="; ".join(p.name for p in projects),
        project_id="; ".join(p.code for p in projects),
        standard="; ".join(dict.fromkeys(p.standard for p in projects)),
        methodology=str(methodology),
        country=str(country),
        vintage=_one([r.vintage for r in retirement.ranges]),
        serial_ranges=tuple(retirement.serials),
        reason=retirement.reason,
        retirement_id=retirement.id,
        key=f"retirement:{retirement.id}",
        language=language,
    )


async def certify_retirement(
    retirement: registry.RetirementView,
    *,
    signing_key: Ed25519PrivateKey,
    public_base_url: str,
    kind: CertificateKind = CertificateKind.RETIREMENT,
    now: Callable[[], datetime] = utcnow,
    language: str = "en",
) -> CertificateView:
    """Sign and store the certificate of a retirement (once per retirement), drawn
    in `language` (the buyer's: en, de or fr)."""
    data = await certificate_data(retirement, kind=kind, language=language)
    return await issue_certificate(data, key=signing_key, public_base_url=public_base_url, now=now)


# ---- certificates that must reach their owner -----------------------------------------

CERTIFICATE_MESSAGE = "certificate"  # the outbox kind the payments feature renders
RESENDS_SHOWN = 3
RETRY_WINDOW = timedelta(days=2)
MAX_RETRIES = 30  # rounds of the outbox's own attempts; then "send my certificate again" in /history  # a certificate that still fails after this waits for "send again"


@dataclass(frozen=True)
class OwnRetirement:
    id: str
    amount_kg: int
    beneficiary: str
    created_at: datetime


async def retirements_of(user_id: int, *, limit: int = RESENDS_SHOWN) -> list[OwnRetirement]:
    """The user's newest retirements (each has, or will have, a certificate)."""
    rows = await Retirement.filter(account__owner=ledger.user_owner(user_id)).order_by("-id").limit(limit)
    return [OwnRetirement(r.public_id, r.amount_kg, r.beneficiary, r.created_at) for r in rows]


async def _kind_of(retirement_id: str) -> str:
    row = await Certificate.get_or_none(retirement_id=retirement_id)
    return "product" if row is not None and row.kind == CertificateKind.PRODUCT else "retirement"


async def send_again(user_id: int, retirement_id: str, *, now: datetime | None = None) -> bool:
    """Queue the certificate of one of the user's retirements for sending again; False if not theirs."""
    now = now or utcnow()
    row = await Retirement.get_or_none(public_id=retirement_id).select_related("account")
    if row is None or row.account.owner != ledger.user_owner(user_id):
        return False
    await outbox.enqueue(user_id, CERTIFICATE_MESSAGE, {
        "retirement": row.public_id, "kind": await _kind_of(row.public_id), "again": True,
    }, dedup_key=f"certificate:{row.public_id}:again:{now.isoformat()}", now=now)
    return True


async def retry_failed_certificates(now: datetime | None = None, *, limit: int = 50) -> int:
    """Queue again every certificate message the outbox gave up on (drawing or signing kept
    failing), unless the person blocked the bot; a retirement's certificate is never lost."""
    now = now or utcnow()
    failed = await OutboxMessage.filter(
        kind=CERTIFICATE_MESSAGE, state=OutboxState.FAILED, created_at__gte=now - RETRY_WINDOW,
    ).order_by("id").limit(limit)
    queued = 0
    for message in failed:
        base, _, tries = message.dedup_key.partition(":retry:")
        retry = int(tries or 0) + 1
        if message.last_error.startswith("forbidden") or retry > MAX_RETRIES:
            continue
        key = f"{base}:retry:{retry}"
        if await OutboxMessage.exists(dedup_key=key):
            continue
        await outbox.enqueue(message.chat_id, CERTIFICATE_MESSAGE, dict(message.params), dedup_key=key, now=now)
        queued += 1
    return queued
